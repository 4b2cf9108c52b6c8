"""`annulus evaluate` and `annulus protocols`: the candidacy engine on the command line.

No Django and no database are loaded (the spec requires the engine to work without them), so the
commands start fast and run anywhere the package is installed.

    annulus evaluate CASE.json [--protocol ID[@VERSION]] [--format text|json]
    annulus evaluate --batch CASES.jsonl [--protocol ID[@VERSION]]
    annulus protocols [--format text|json]

Exit status: 0 when a decision was made (whatever it is); 2 for invalid input, an unknown
protocol or a usage error, with the message on stderr and nothing on stdout; 1 when a protocol
file itself is broken. `-` reads the case (or the batch) from standard input.

Format: `text` is a consult note; `json` is the decision of spec §3. The default is `text` when
standard output is a terminal and `json` otherwise, so pipes and files get JSON.

Batch: one case per line (blank lines are skipped), one JSON decision per line in the same order.
A batch is all or nothing: if any line is invalid, nothing is written to stdout, every invalid
line is reported on stderr as `FILE:LINE: path: rule` (the first 20 of them), and the exit status
is 2. Decisions are spooled (in memory, then a temporary file) until the whole batch is known to
be valid, so a 100,000-case batch does not need 100,000 decisions in memory.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, NoReturn

from annulus.candidacy.engine import (
    CaseError,
    Protocol,
    ProtocolError,
    UnknownProtocolError,
    evaluate,
    list_protocols,
    parse_case,
    render_text,
    resolve_protocol,
)

__all__ = ["main"]

MAX_REPORTED_LINES = 20
_SPOOL_IN_MEMORY = 32 * 1024 * 1024
_READ_BUFFER = 1024 * 1024
_COPY_BUFFER = 1024 * 1024
# Decisions are written to the spool in pieces of about this many bytes: big enough to cost
# few calls, small enough that joining them stays under glibc's mmap threshold (128 KB).
# 512-decision pieces (5 MB) were mapped and unmapped each time: 54,000-80,000 minor page faults
# for 10,000 full-size cases, against about 16,000 with these pieces.
_PIECE_BYTES = 16 * 1024
# Allocations between two young-generation collections during a batch (CPython's default: 700).
_GC_ALLOCATIONS = 100_000


class _UsageError(Exception):
    """argparse wants to exit; we return its status instead."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class _Parser(argparse.ArgumentParser):
    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            sys.stderr.write(message)
        raise _UsageError(status)


def main(argv: list[str]) -> int:
    """Run `argv` = ["evaluate", ...] or ["protocols", ...]; return the exit status."""
    command, args = (argv[0], argv[1:]) if argv else ("", [])
    try:
        if command == "evaluate":
            return _evaluate(args)
        if command == "protocols":
            return _protocols(args)
    except _UsageError as exc:
        return exc.status
    except UnknownProtocolError as exc:
        return _fail(str(exc), status=2)
    except ProtocolError as exc:
        return _fail(f"broken protocol file: {exc}", status=1)
    return _fail(f"unknown command {command!r} (expected evaluate or protocols)", status=2)


def _evaluate(args: list[str]) -> int:
    parser = _Parser(
        prog="annulus evaluate",
        description="Decide whether a case is a candidate for intra-annular fibrin.",
        epilog="Exit status: 0 decision made; 2 invalid input or unknown protocol; "
        "1 broken protocol file. A batch is all or nothing: if any line is invalid, nothing is "
        "written to stdout and the invalid lines (the first 20) are reported on stderr as "
        "FILE:LINE: path: rule.",
    )
    parser.add_argument("case", nargs="?", metavar="CASE.json", help="a case file, or - for stdin")
    parser.add_argument("--batch", metavar="CASES.jsonl", help="one case per line, or - for stdin")
    parser.add_argument(
        "--protocol",
        metavar="ID[@VERSION]",
        help="protocol to apply (default: annulus-default, newest version)",
    )
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        help="text on a terminal, json otherwise (--batch always writes JSON lines)",
    )
    opts = parser.parse_args(args)
    if (opts.case is None) == (opts.batch is None):
        parser.error("give either CASE.json or --batch CASES.jsonl")
    if opts.batch is not None and opts.format == "text":
        parser.error("--batch writes one JSON decision per line; --format text is for one case")
    protocol = resolve_protocol(opts.protocol)
    if opts.batch is not None:
        return _evaluate_batch(opts.batch, protocol)
    try:
        data = _read(opts.case)
        case = parse_case(data)
    except OSError as exc:
        return _fail(f"cannot read {opts.case}: {exc.strerror or exc}", status=2)
    except CaseError as exc:
        return _fail("\n".join(f"{opts.case}: {issue}" for issue in exc.issues), status=2)
    decision = evaluate(case, protocol)
    as_text = opts.format == "text" or (opts.format is None and sys.stdout.isatty())
    if as_text:
        sys.stdout.write(render_text(decision))
    else:
        sys.stdout.write(json.dumps(decision.to_dict(), indent=2, ensure_ascii=False) + "\n")
    return 0


def _evaluate_batch(source: str, protocol: Protocol) -> int:
    try:
        # A large read buffer: a full-size case is 3 KB, the default buffer 8 KB.
        stream = sys.stdin.buffer if source == "-" else open(source, "rb", _READ_BUFFER)  # noqa: SIM115
    except OSError as exc:
        return _fail(f"cannot read {source}: {exc.strerror or exc}", status=2)
    with stream, _Spool(_SPOOL_IN_MEMORY) as spool:
        with _few_collections():
            problems = _decide_all(_lines(stream), protocol, spool, source)
        if problems:
            return _fail("\n".join(problems), status=2)
        spool.copy_to_stdout()
    return 0


@contextlib.contextmanager
def _few_collections() -> Iterator[None]:
    """Run the batch with rare garbage collections, then restore the collector's settings.

    An evaluation makes no reference cycles (a test checks it), so the collections its
    allocations trigger find nothing; yet each full one walked every object alive, and the
    memos of criterion lines and explanations grow with the batch. Objects alive before the
    batch (modules, the protocol) are frozen out of those walks.
    """
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(_GC_ALLOCATIONS, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


class _Spool:
    """The decisions until the batch is known to be valid: pieces kept in memory up to `limit`
    bytes, then everything in a temporary file.

    (A SpooledTemporaryFile copied every piece into one growing buffer, then copied that
    buffer into its file.)
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.pieces: list[bytes] = []
        self.size = 0
        self.file: IO[bytes] | None = None

    def __enter__(self) -> _Spool:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.file is not None:
            self.file.close()

    def write(self, piece: bytes) -> None:
        if self.file is not None:
            self.file.write(piece)
            return
        self.pieces.append(piece)
        self.size += len(piece)
        if self.size > self.limit:
            self.file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by __exit__
            self.file.writelines(self.pieces)
            self.pieces = []

    def copy_to_stdout(self) -> None:
        """Copy the spooled UTF-8 bytes to stdout, through its byte buffer when it has one."""
        out = sys.stdout
        buffer = getattr(out, "buffer", None)
        if self.file is not None:
            self.file.seek(0)
            if buffer is None:  # a text-only stream, e.g. io.StringIO in a caller's redirect
                out.write(self.file.read().decode())
                return
            out.flush()
            shutil.copyfileobj(self.file, buffer, _COPY_BUFFER)
        elif buffer is None:
            out.write(b"".join(self.pieces).decode())
            return
        else:
            out.flush()
            buffer.writelines(self.pieces)
        buffer.flush()


def _decide_all(
    lines: Iterator[tuple[int, bytes]], protocol: Protocol, spool: _Spool, source: str
) -> list[str]:
    """Evaluate every line into `spool`; after the first invalid line only validate the rest."""
    problems: list[str] = []
    invalid = 0
    chunk: list[bytes] = []
    size = 0
    for number, line in lines:
        try:
            case = parse_case(line)
        except CaseError as exc:
            invalid += 1
            if invalid <= MAX_REPORTED_LINES:
                problems += [f"{source}:{number}: {issue}" for issue in exc.issues]
            continue
        if invalid:
            continue
        decision = evaluate(case, protocol).to_json_bytes()
        chunk.append(decision)
        size += len(decision)
        if size >= _PIECE_BYTES:
            spool.write(b"\n".join(chunk) + b"\n")
            chunk.clear()
            size = 0
    if invalid:
        if invalid > MAX_REPORTED_LINES:
            problems.append(f"{source}: ... and {invalid - MAX_REPORTED_LINES} more invalid lines")
        problems.append(f"{source}: {invalid} invalid line(s); no decisions were written")
        return problems
    if chunk:
        spool.write(b"\n".join(chunk) + b"\n")
    return []


def _lines(stream: IO[bytes]) -> Iterator[tuple[int, bytes]]:
    for number, line in enumerate(stream, start=1):
        if line.strip():
            yield number, line


def _protocols(args: list[str]) -> int:
    parser = _Parser(
        prog="annulus protocols",
        description="List every released protocol version with the sha256 of its file.",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    opts = parser.parse_args(args)
    protocols = list_protocols()
    if opts.format == "json":
        rows = [
            {"id": p.id, "version": p.version, "sha256": p.sha256, "title": p.title}
            for p in protocols
        ]
        sys.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        return 0
    width = max(len(p.id) for p in protocols)
    lines = [f"{'id':<{width}}  version  {'sha256':<64}  title"]
    lines += [f"{p.id:<{width}}  {p.version:>7}  {p.sha256}  {p.title}" for p in protocols]
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


def _read(source: str) -> bytes:
    return sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()


def _fail(message: str, *, status: int) -> int:
    sys.stderr.write(message.rstrip("\n") + "\n")
    return status
