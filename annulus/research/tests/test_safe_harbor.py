"""Property tests: synthetic patients full of canary identifiers give exports with none of them."""

from __future__ import annotations

import csv
import io
import random
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annulus.research.checker import KnownIdentifiers, check
from annulus.research.dataset import PatientRecord, build_tables
from annulus.research.deid import escape_cell
from annulus.research.dictionary import TABLES
from annulus.research.models import new_study_id

LEVELS = ["L1-L2", "L2-L3", "L3-L4", "L4-L5", "L5-S1"]


def _canary(rng: random.Random, n: int) -> dict[str, str]:
    word = "".join(rng.choice("bcdfghjklmnpqrstvwxz") for _ in range(7))
    first, last = f"Qx{word}", f"Zv{word[::-1]}"
    return {
        "first_name": first,
        "last_name": last,
        "email": f"{first.lower()}.{n}@canary.example",
        "phone": f"(555) 01{rng.randint(10, 99)}-{rng.randint(1000, 9999)}",
        "address": f"{rng.randint(10, 9999)} {last} Street",
        "zip5": f"{rng.randint(0, 99999):05d}",
        "mrn": f"MRN{rng.randint(10**7, 10**8)}",
    }


def synthetic(rng: random.Random, n: int) -> tuple[PatientRecord, dict[str, str]]:
    """One synthetic patient whose every identifier, and every free-text field, is a canary."""
    c = _canary(rng, n)
    born = date(1920, 1, 1) + timedelta(days=rng.randint(0, 30_000))
    treated = date(2024, 1, 1) + timedelta(days=rng.randint(0, 700))
    c["dob"] = born.isoformat()
    c["treated"] = treated.isoformat()
    note = f"{c['first_name']} {c['last_name']}, {c['address']}, {c['phone']}, {c['email']}"
    patient = {
        "id": n,
        "first_name": c["first_name"],
        "last_name": c["last_name"],
        "email": c["email"],
        "phone": c["phone"],
        "date_of_birth": born,
        "sex": rng.choice(["female", "male", "other", "unknown"]),
        "veteran": rng.choice([True, False, None]),
        "stage": rng.choice(["new", "treated", "follow-up"]),
        "postal_code": c["zip5"],
        "address": c["address"],
        "created_at": datetime(2023, 5, 2, 10, 0, tzinfo=UTC),
    }
    levels = sorted(rng.sample(LEVELS, rng.randint(1, 2)))
    record = PatientRecord(
        patient=patient,
        first_visit=treated - timedelta(days=40),
        intake={
            "submitted_at": datetime(2023, 11, 3, 9, 30, tzinfo=UTC),
            "back_pain_nrs": float(rng.randint(0, 10)),
            "odi": float(rng.randint(0, 100)),
            "rmdq": rng.randint(0, 24),
            "symptom_notes": note,
            "medications": note,
        },
        mri=[
            {
                "study_date": treated - timedelta(days=60),
                "report_reference": c["mrn"],
                "levels": [{"level": lv, "pfirrmann_grade": rng.randint(1, 5)} for lv in levels],
            }
        ],
        discograms=[
            {
                "performed_on": treated - timedelta(days=20),
                "level": levels[0],
                "concordance": "concordant",
            }
        ],
        procedures=[
            {
                "performed_on": treated,
                "levels": levels,
                "product": note,
                "lot_number": c["mrn"],
                "guidance": "fluoroscopy",
                "sedation": "local",
                "immediate_complications": note,
                "volume_ml_per_level": {lv: 2.0 for lv in levels},
            }
        ],
        adverse_events=[
            {
                "onset_on": treated + timedelta(days=3),
                "description": note,
                "related": True,
                "serious": False,
                "discitis": False,
            }
        ],
        referrals=[{"referred_on": treated, "alternative": "fusion", "notes": note}],
        surveys=[
            {
                "instrument_id": "odi",
                "score": 30.0,
                "time_point": "month-6",
                "on": datetime(2025, 3, 1, 12, 0, tzinfo=UTC),
            }
        ],
        arm="fibrin",
        extra={"ssn": "123-45-6789", "ip": "10.1.2.3", "url": "https://portal.example/x"},
    )
    return record, c


def _known(canaries: list[dict[str, str]]) -> KnownIdentifiers:
    known = KnownIdentifiers()
    for c in canaries:
        known.add_person(c["first_name"], c["last_name"], email=c["email"], phone=c["phone"])
    return known


def _as_csv(tables: dict[str, list[dict[str, Any]]]) -> str:
    buffer = io.StringIO()
    for table, rows in tables.items():
        writer = csv.DictWriter(buffer, fieldnames=[c.name for c in TABLES[table]])
        writer.writeheader()
        for row in rows:
            writer.writerow({k: escape_cell(v) for k, v in row.items()})
    return buffer.getvalue()


def _leaks(text: str, c: dict[str, str]) -> list[str]:
    lowered = text.lower()
    digits_only = "".join(ch for ch in text if ch.isdigit() or ch == "\n")
    found = [
        k
        for k in ("first_name", "last_name", "email", "address", "mrn", "dob", "treated")
        if c[k].lower() in lowered
    ]
    phone_digits = "".join(ch for ch in c["phone"] if ch.isdigit())
    if phone_digits in digits_only:
        found.append("phone")
    # A whole value, not five digits that happen to sit inside a random study id.
    if re.search(rf"\b{c['zip5']}\b", text):
        found.append("zip5")
    return found


def _export(records: list[PatientRecord]) -> dict[str, list[dict[str, Any]]]:
    ids = {r.patient["id"]: new_study_id() for r in records}
    return build_tables(records, ids)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=2**32 - 1), size=st.integers(1, 25))
def test_it_lets_no_canary_through(seed: int, size: int) -> None:
    rng = random.Random(seed)
    pairs = [synthetic(rng, n) for n in range(1, size + 1)]
    tables = _export([r for r, _ in pairs])
    canaries = [c for _, c in pairs]
    assert check(tables, _known(canaries)) == []
    text = _as_csv(tables)
    for c in canaries:
        assert _leaks(text, c) == []


def test_it_lets_no_canary_through_ten_thousand_patients() -> None:
    rng = random.Random(20261202)
    pairs = [synthetic(rng, n) for n in range(1, 10_001)]
    tables = _export([r for r, _ in pairs])
    canaries = [c for _, c in pairs]
    assert check(tables, _known(canaries)) == []
    words = set(re.split(r"[^a-z0-9@.+-]+", _as_csv(tables).lower()))
    names = {c[k].lower() for c in canaries for k in ("first_name", "last_name", "email", "mrn")}
    assert not words & names
    assert len(tables["patients"]) == 10_000


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(min_value=0, max_value=2**32 - 1),
    kind=st.sampled_from(["first_name", "last_name", "email", "phone", "address", "dob", "zip5"]),
    data=st.data(),
)
def test_it_flags_any_canary_that_reaches_a_cell(seed: int, kind: str, data: Any) -> None:
    rng = random.Random(seed)
    pairs = [synthetic(rng, n) for n in range(1, 4)]
    tables = _export([r for r, _ in pairs])
    table = data.draw(st.sampled_from([t for t, rows in tables.items() if rows]))
    row = data.draw(st.integers(0, len(tables[table]) - 1))
    column = data.draw(st.sampled_from(sorted(tables[table][row])))
    tables[table][row][column] = pairs[0][1][kind]
    findings = check(tables, _known([c for _, c in pairs]))
    assert any(f.table == table and f.column == column and f.row == row for f in findings)
