"""Write resources as NDJSON, one file per resource type (the Bulk Data output format)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any

from fhir.resources.R4B.resource import Resource

from annulus.interop.collect import clinic_resources, patient_resources
from annulus.interop.fhir.base import as_json


class NdjsonWriter:
    """Appends each resource to `<dir>/<Type>.ndjson`; counts per type."""

    def __init__(self, folder: Path, types: Iterable[str] = ()) -> None:
        self.folder = folder
        self.types = set(types)
        self.counts: dict[str, int] = {}
        self._files: dict[str, IO[str]] = {}
        folder.mkdir(parents=True, exist_ok=True)

    def write(self, resource: Resource) -> None:
        rtype = resource.get_resource_type()
        if self.types and rtype not in self.types:
            return
        handle = self._files.get(rtype)
        if handle is None:
            handle = (self.folder / f"{rtype}.ndjson").open("w", encoding="utf-8")
            self._files[rtype] = handle
        handle.write(json.dumps(as_json(resource), separators=(",", ":"), ensure_ascii=False))
        handle.write("\n")
        self.counts[rtype] = self.counts.get(rtype, 0) + 1

    def close(self) -> dict[str, int]:
        for handle in self._files.values():
            handle.close()
        return dict(sorted(self.counts.items()))


def export_to_folder(
    clinic: Any,
    patients: Iterable[Any],
    folder: Path,
    *,
    types: Iterable[str] = (),
    include_clinic: bool = True,
    on_patient: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Write the clinic's resources and each patient's into `folder`; return counts per type."""
    writer = NdjsonWriter(folder, types)
    try:
        if include_clinic:
            for resource in clinic_resources(clinic):
                writer.write(resource)
        for done, patient in enumerate(patients, start=1):
            for resource in patient_resources(patient):
                writer.write(resource)
            if on_patient is not None:
                on_patient(done)
    finally:
        counts = writer.close()
    return counts
