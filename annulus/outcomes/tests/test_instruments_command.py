from __future__ import annotations

import copy
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from annulus.audit.models import AuditEvent
from annulus.outcomes import actions, library
from annulus.outcomes.catalog import INSTRUMENTS_DIR
from annulus.outcomes.models import InstalledInstrument, InstalledTable, Invitation

pytestmark = pytest.mark.django_db


def shipped_data(instrument_id: str) -> dict:
    return yaml.safe_load((INSTRUMENTS_DIR / f"{instrument_id}.yaml").read_text())


def licensed(instrument_id: str) -> dict:
    """The shipped structure with (invented) licensed wording in place of every placeholder."""
    data = copy.deepcopy(shipped_data(instrument_id))
    data["licence"] = {"status": "licensed-installed", "holder": "Test Clinic licence 42"}

    def reword(text: str) -> str:
        return text.replace("(demo wording)", "(licensed text)").replace("demo wording", "text")

    for section in data["sections"]:
        section["title"] = reword(section["title"])
        for item in section["items"]:
            item["text"] = reword(item["text"])
            for option in item.get("options", []):
                option["label"] = reword(option["label"])
            for end in ("min_label", "max_label"):
                if end in item:
                    item[end] = reword(item[end])
    return data


def write(tmp_path: Path, name: str, data: object) -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False))
    return path


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("instruments", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def refused(*args: str) -> tuple[str, str]:
    err = StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("instruments", *args, stdout=StringIO(), stderr=err)
    return str(exc.value), err.getvalue()


def test_it_lists_every_instrument_with_its_licence_status():
    out, _ = run()
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["ID", "VERSION", "LICENCE", "HERE"]
    rows = {line.split()[0]: line for line in lines[1:]}
    assert set(rows) >= {"nrs-back", "nrs-leg", "pgic", "satisfaction", "odi", "rmdq", "peg",
                         "promis-pf-4a", "promis-pi-4a", "eq5d5l"}  # fmt: skip
    assert "open" in rows["pgic"]
    assert "licensed-demo-wording" in rows["odi"] and "demo wording" in rows["odi"]
    assert "install the licensed text and the lookup table" in rows["promis-pi-4a"]


def test_it_installs_a_clinics_licensed_text_and_the_survey_uses_it(tmp_path, patient):
    out, _ = run("install", str(write(tmp_path, "odi-licensed.yaml", licensed("odi"))))
    assert "Installed the licensed text for odi version 2.1a" in out
    row = InstalledInstrument.objects.get(instrument_id="odi")
    assert row.licence_holder == "Test Clinic licence 42"
    assert AuditEvent.objects.filter(action="outcomes.instrument.install").exists()
    assert "licensed text installed" in run()[0]
    instrument, sha = library.instrument_in_use("odi")
    assert "(licensed text)" in instrument.sections[0].title
    assert sha == row.sha256 != library.definition_sha256(library.shipped("odi"))
    # The survey shows the licensed wording and stores which wording was answered.
    actions.enrol(patient)
    baseline = Invitation.objects.get(code="baseline")
    assert "(licensed text)" in actions.survey_pages(baseline)[2].section.title
    # Installing again replaces it.
    assert "Replaced" in run("install", str(tmp_path / "odi-licensed.yaml"))[0]
    assert InstalledInstrument.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["sections"][2]["items"][0]["options"].pop(),
         "sections[2].items[0]: scoring rule 'odi-v2.1a' needs a choice item with values 0-5"),
        (lambda d: d["sections"][0]["items"][0]["options"][3].update(value=9),
         "sections[0].items[0]: scoring rule 'odi-v2.1a' needs a choice item with values 0-5"),
        (lambda d: d["sections"][0]["items"][0]["options"].reverse(),
         "sections[0].items[0].options[0].value: expected 0, got 5"),
        (lambda d: d["sections"].pop(7), "sections:"),
        (lambda d: d.update(version="3.0"), "version: expected '2.1a', got '3.0'"),
        (lambda d: d.update(colour="blue"), "colour: Extra inputs are not permitted"),
        (lambda d: d["licence"].update(status="licensed-demo-wording"),
         "sections[0].title: must be a placeholder containing 'demo wording'"),
        (lambda d: d["sections"][1].update(title="Personal care (demo wording)"),
         "sections[1].title: still says 'demo wording'"),
    ],
    ids=["option-removed", "option-value-changed", "options-reordered", "section-removed",
         "other-version", "unknown-key", "still-placeholder-status", "placeholder-left"],
)  # fmt: skip
def test_a_file_that_does_not_match_the_structure_is_refused_and_nothing_is_written(
    tmp_path, change, expected
):
    data = licensed("odi")
    change(data)
    message, err = refused("install", str(write(tmp_path, "odi.yaml", data)))
    assert "refused" in message and "nothing was installed" in message
    assert expected in err
    assert str(tmp_path / "odi.yaml") in err  # every line names the file
    assert not InstalledInstrument.objects.exists()
    assert not AuditEvent.objects.filter(action="outcomes.instrument.install").exists()


def test_files_that_are_not_instruments_at_all_are_refused(tmp_path):
    broken = write(tmp_path, "broken.yaml", "id: odi\nsections: [\n")
    assert "cannot be read as YAML" in refused("install", str(broken))[1]
    unknown = licensed("odi") | {"id": "odi-x"}
    assert (
        "id: no instrument 'odi-x'"
        in refused("install", str(write(tmp_path, "x.yaml", unknown)))[1]
    )
    assert "cannot be read" in refused("install", str(tmp_path / "missing.yaml"))[1]
    assert "Say which file" in refused("install")[0]
    assert "only taken by" in refused("list", "odi.yaml")[0]
    open_text = licensed("pgic")
    assert (
        "there is no licensed text to install"
        in refused("install", str(write(tmp_path, "pgic.yaml", open_text)))[1]
    )
    assert not InstalledInstrument.objects.exists()


def promis_table(**changes) -> dict:
    # Invented numbers (no official table is shipped or reproduced): raw sums 4-20.
    table = {"kind": "t-score", "instrument": "promis-pi-4a", "version": "1.0",
             "source": "test table, invented values",
             "entries": {raw: 40.0 + raw for raw in range(4, 21)}}  # fmt: skip
    return table | changes


def test_it_installs_a_promis_table_and_refuses_one_that_does_not_fit(tmp_path):
    short = promis_table(entries={raw: 40.0 for raw in range(4, 20)})
    _, err = refused("install", str(write(tmp_path, "short.yaml", short)))
    assert "entries: 1 raw sums have no entry (first: 20)" in err
    _, err = refused("install", str(write(tmp_path, "v.yaml", promis_table(version="2.0"))))
    assert "version: the table is for version '2.0'" in err
    _, err = refused("install", str(write(tmp_path, "nan.yaml", promis_table(entries={4: "x"}))))
    assert "entries[4]: Input should be a valid number" in err
    assert not InstalledTable.objects.exists()

    out, _ = run("install", str(write(tmp_path, "promis.yaml", promis_table())))
    assert "Installed the lookup table for promis-pi-4a version 1.0" in out
    instrument = library.shipped("promis-pi-4a")
    assert library.table_for(instrument).entries[20] == 60.0
    # Still not asked: the licensed item text is not installed yet.
    assert not library.availability("promis-pi-4a").usable
    run("install", str(write(tmp_path, "promis-text.yaml", licensed("promis-pi-4a"))))
    assert library.availability("promis-pi-4a").usable
