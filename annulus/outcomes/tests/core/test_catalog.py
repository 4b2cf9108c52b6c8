"""Instrument files: shipped content, validation messages, install checks and lookup tables."""

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from annulus.outcomes import catalog
from annulus.outcomes.catalog import (
    DEMO_WORDING,
    INSTRUMENTS_DIR,
    ChoiceItem,
    InstrumentFileError,
    ScaleItem,
    UnknownInstrument,
    check_install,
    check_table,
    list_instruments,
    load_instrument,
    load_instrument_file,
    parse_instrument,
    parse_table,
    visible_texts,
)

SHIPPED = {
    "nrs-back": "open",
    "nrs-leg": "open",
    "pgic": "open",
    "since-first-visit-change": "open",
    "satisfaction": "open",
    "phq9": "open",
    "since-first-visit-satisfaction": "open",
    "odi": "licensed-demo-wording",
    "rmdq": "licensed-demo-wording",
    "peg": "licensed-demo-wording",
    "promis-pf-4a": "licence-required-no-text",
    "promis-pi-4a": "licence-required-no-text",
    "eq5d5l": "licence-required-no-text",
}
LICENSED = sorted(k for k, v in SHIPPED.items() if v != "open")


def raw(instrument_id: str) -> dict[str, Any]:
    """The shipped file as plain data, to be altered by a test."""
    data = yaml.safe_load((INSTRUMENTS_DIR / f"{instrument_id}.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def refused(data: object) -> str:
    with pytest.raises(InstrumentFileError) as caught:
        parse_instrument(data, source="test.yaml")
    assert str(caught.value).startswith("test.yaml: ")
    return "\n".join(caught.value.problems)


TEXT_KEYS = {"title", "text", "label", "min_label", "max_label"}


def reword(data: Any, wording: str) -> Any:
    """Replace every text a patient sees with ``wording`` (what a licensed file changes)."""
    if isinstance(data, dict):
        return {
            key: f"{wording} {n}" if key in TEXT_KEYS else reword(value, wording)
            for n, (key, value) in enumerate(data.items())
        }
    if isinstance(data, list):
        return [reword(value, wording) for value in data]
    return data


def licensed(instrument_id: str, wording: str = "Licensed wording") -> dict[str, Any]:
    data: dict[str, Any] = reword(raw(instrument_id), wording)
    data["licence"] = {"status": "licensed-installed", "holder": "The licence holder"}
    return data


def install_problems(instrument_id: str, data: dict[str, Any]) -> list[str]:
    return check_install(load_instrument(instrument_id), parse_instrument(data))


def test_it_exports_its_public_names() -> None:
    assert sorted(catalog.__all__) == sorted(
        [
            "DEMO_WORDING",
            "INSTRUMENTS_DIR",
            "LICENCE_STATUSES",
            "SCORING_RULES",
            "TABLE_KINDS",
            "ChoiceItem",
            "Instrument",
            "InstrumentFileError",
            "Item",
            "Licence",
            "LicenceStatus",
            "LookupTable",
            "Option",
            "ScaleItem",
            "ScoringRule",
            "Section",
            "TScoreTable",
            "UnknownInstrument",
            "ValueSet",
            "check_install",
            "check_table",
            "list_instruments",
            "load_instrument",
            "load_instrument_file",
            "parse_instrument",
            "parse_table",
            "visible_texts",
        ]
    )
    assert all(hasattr(catalog, name) for name in catalog.__all__)


# ---- what ships --------------------------------------------------------------------------------


def test_it_lists_every_shipped_instrument_with_its_licence_status() -> None:
    listed = {i.id: i.licence.status for i in list_instruments()}
    assert listed == SHIPPED
    assert [i.id for i in list_instruments()] == sorted(SHIPPED)


@pytest.mark.parametrize("instrument_id", LICENSED)
def test_it_ships_licensed_instruments_with_placeholder_text_only(instrument_id: str) -> None:
    texts = list(visible_texts(load_instrument(instrument_id)))
    assert texts
    assert all(DEMO_WORDING in text.lower() for _, text in texts)


@pytest.mark.parametrize("instrument_id", ["nrs-back", "nrs-leg", "pgic", "satisfaction", "phq9"])
def test_it_ships_open_instruments_in_real_words(instrument_id: str) -> None:
    texts = [text for _, text in visible_texts(load_instrument(instrument_id))]
    assert not any(DEMO_WORDING in text.lower() for text in texts)


def test_it_ships_odi_as_ten_sections_scored_0_to_5() -> None:
    odi = load_instrument("odi")
    assert (odi.version, odi.scoring_rule) == ("2.1a", "odi-v2.1a")
    assert [s.id for s in odi.sections] == [
        "pain-intensity",
        "personal-care",
        "lifting",
        "walking",
        "sitting",
        "standing",
        "sleeping",
        "sex-life",
        "social-life",
        "travelling",
    ]
    assert all(item.values == (0, 1, 2, 3, 4, 5) for item in odi.items)
    assert [item.id for item in odi.items if item.may_skip] == ["sex-life"]


def test_it_ships_rmdq_as_24_yes_no_items() -> None:
    rmdq = load_instrument("rmdq")
    assert len(rmdq.items) == 24
    assert all(sorted(item.values) == [0, 1] for item in rmdq.items)


def test_it_ships_pain_ratings_for_the_past_7_days() -> None:
    for instrument_id in ("nrs-back", "nrs-leg"):
        nrs = load_instrument(instrument_id)
        (item,) = nrs.items
        assert isinstance(item, ScaleItem)
        assert (item.min, item.max, nrs.recall_period) == (0, 10, "past 7 days")


def test_it_ships_pgic_with_seven_points_and_peg_with_three_items() -> None:
    (change,) = load_instrument("pgic").items
    assert change.values == (1, 2, 3, 4, 5, 6, 7)
    peg = load_instrument("peg")
    assert [item.values for item in peg.items] == [tuple(range(11))] * 3


def test_it_ships_promis_and_eq5d_as_structure_needing_a_table() -> None:
    pf, pi, eq = (load_instrument(i) for i in ("promis-pf-4a", "promis-pi-4a", "eq5d5l"))
    assert [item.id for item in pf.items] == ["pfa11", "pfa21", "pfa23", "pfa53"]
    assert [item.id for item in pi.items] == ["painin9", "painin22", "painin31", "painin34"]
    assert all(item.values == (1, 2, 3, 4, 5) for item in pf.items + pi.items)
    assert [item.kind for item in eq.items] == ["choice"] * 5 + ["scale"]
    assert all(i.needs_table for i in (pf, pi, eq))
    assert not load_instrument("odi").needs_table


# ---- loading and validation --------------------------------------------------------------------


def test_it_refuses_unknown_keys_and_names_the_path() -> None:
    data = raw("odi")
    data["sections"][2]["items"][0]["colour"] = "red"
    assert "sections[2].items[0].colour: Extra inputs are not permitted" in refused(data)


def test_it_refuses_real_wording_in_a_placeholder_file() -> None:
    data = raw("odi")
    data["sections"][0]["items"][0]["options"][1]["label"] = "Some owner's sentence"
    problems = refused(data)
    assert "sections[0].items[0].options[1].label: must be a placeholder" in problems
    assert problems.count("must be a placeholder") == 1


def test_it_refuses_a_structure_that_does_not_fit_the_scoring_rule() -> None:
    short = raw("odi")
    del short["sections"][-1]
    assert "scoring rule 'odi-v2.1a' needs 10 items, the file has 9" in refused(short)

    wider = raw("odi")
    wider["sections"][4]["items"][0]["options"].append({"value": 6, "label": "x (demo wording)"})
    assert "sections[4].items[0]: scoring rule 'odi-v2.1a' needs a choice item with values 0-5" in (
        refused(wider)
    )

    rmdq = raw("rmdq")
    rmdq["sections"][0]["items"][3]["options"][0]["value"] = 2
    assert "needs a choice item with values 0-1" in refused(rmdq)

    promis = raw("promis-pf-4a")
    promis["sections"][0]["items"][0] = raw("peg")["sections"][0]["items"][0]
    assert "sections[0].items[0]: scoring rule 'promis-t-score' needs a choice item with any" in (
        refused(promis)
    )


def test_it_refuses_repeated_ids_and_values_and_bad_ranges() -> None:
    data = raw("rmdq")
    data["sections"][0]["items"][5]["id"] = "item-01"
    data["sections"].append(dict(data["sections"][0], items=data["sections"][0]["items"][:1]))
    problems = refused(data)
    assert "sections[0].items[5].id: item id 'item-01' is used twice" in problems
    assert "sections[1].id: 'statements' is used twice" in problems

    pgic = raw("pgic")
    pgic["sections"][0]["items"][0]["options"][6]["value"] = 1
    assert "sections[0].items[0]: option values repeat: 1" in refused(pgic)

    nrs = raw("nrs-back")
    nrs["sections"][0]["items"][0]["min"] = 10
    assert "sections[0].items[0]: min (10) must be below max (10)" in refused(nrs)


def test_it_refuses_a_file_that_is_not_a_mapping() -> None:
    assert "Input should be a valid dictionary" in refused(["odi"])


def test_it_refuses_an_unknown_id_and_a_path_like_id() -> None:
    with pytest.raises(UnknownInstrument, match=r"no instrument .sf-36.*known: eq5d5l"):
        load_instrument("sf-36")
    with pytest.raises(UnknownInstrument):
        load_instrument("../instruments/odi")


def test_it_refuses_a_file_whose_id_does_not_match_its_name(tmp_path: Path) -> None:
    (tmp_path / "other.yaml").write_text((INSTRUMENTS_DIR / "pgic.yaml").read_text())
    with pytest.raises(InstrumentFileError, match="'pgic' does not match the file name 'other'"):
        load_instrument("other", directory=tmp_path)


def test_it_reports_a_file_that_is_not_yaml(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("id: [unclosed\n")
    with pytest.raises(InstrumentFileError, match=r"broken\.yaml: cannot be read as YAML"):
        load_instrument_file(path)


def test_it_lists_an_installed_directory(tmp_path: Path) -> None:
    (tmp_path / "pgic.yaml").write_text((INSTRUMENTS_DIR / "pgic.yaml").read_text())
    assert [i.id for i in list_instruments(directory=tmp_path)] == ["pgic"]


# ---- installing licensed text ------------------------------------------------------------------


@pytest.mark.parametrize("instrument_id", LICENSED)
def test_it_accepts_licensed_text_with_the_shipped_structure(instrument_id: str) -> None:
    assert install_problems(instrument_id, licensed(instrument_id)) == []


# Each example validates a whole instrument (RMDQ: 24 items) twice; on a busy machine that can
# pass Hypothesis's 200 ms default deadline, which is a timing, not a correctness, check.
@settings(deadline=None)
@given(
    instrument_id=st.sampled_from(LICENSED),
    wording=st.text(
        alphabet=st.characters(codec="utf-8", categories=["L", "N", "P", "Zs"]), min_size=1
    ).filter(lambda s: s.strip() and DEMO_WORDING not in s.lower()),
)
def test_it_accepts_any_wording_on_the_same_structure(instrument_id: str, wording: str) -> None:
    assert install_problems(instrument_id, licensed(instrument_id, wording.strip())) == []


def test_it_names_every_structural_difference() -> None:
    data = licensed("odi")
    sections = data["sections"]
    sections[0]["items"][0]["options"][2]["value"] = 5
    sections[0]["items"][0]["options"][5]["value"] = 2
    sections[2]["id"] = "carrying"
    sections[3]["items"][0]["id"] = "strolling"
    sections[7]["items"][0]["may_skip"] = False
    assert install_problems("odi", data) == [
        "sections[0].items[0].options[2].value: expected 2, got 5",
        "sections[0].items[0].options[5].value: expected 5, got 2",
        "sections[2].id: expected 'lifting', got 'carrying'",
        "sections[3].items[0].id: expected 'walking', got 'strolling'",
        "sections[7].items[0].may_skip: expected True, got False",
    ]


def test_it_names_missing_sections_items_options_and_changed_ranges() -> None:
    promis = licensed("promis-pf-4a")
    items = promis["sections"][0]["items"]
    items[0]["options"].pop()
    items[1]["options"][0]["value"] = 0
    items.pop()
    promis["sections"].append(copy.deepcopy(promis["sections"][0]) | {"id": "extra"})
    for item in promis["sections"][1]["items"]:
        item["id"] = f"x{item['id']}"
    assert install_problems("promis-pf-4a", promis) == [
        "sections: expected 1 sections, got 2",
        "sections[0].items: expected 4 items, got 3",
        "sections[0].items[0].options: expected 5 options, got 4",
        "sections[0].items[1].options[0].value: expected 1, got 0",
    ]

    # Every rule fixes its scale ranges, so a changed range is refused while parsing ...
    nrs = licensed("nrs-back")
    nrs["sections"][0]["items"][0]["max"] = 100
    assert "needs a scale item with values 0-10" in refused(nrs)
    # ... and check_install still names it should a rule ever allow it (model_copy skips checks).
    candidate = parse_instrument(licensed("nrs-back"))
    section = candidate.sections[0]
    wider = section.items[0].model_copy(update={"min": 1, "max": 100})
    candidate = candidate.model_copy(
        update={"sections": (section.model_copy(update={"items": (wider,)}),)}
    )
    assert check_install(load_instrument("nrs-back"), candidate)[1:] == [
        "sections[0].items[0].min: expected 0, got 1",
        "sections[0].items[0].max: expected 10, got 100",
    ]


def test_it_names_an_item_whose_kind_changed() -> None:
    # Each rule fixes item kinds, so a kind can only change together with the rule.
    data = licensed("peg")
    data["scoring_rule"] = "promis-t-score"
    for item in data["sections"][0]["items"]:
        for key in ("min", "max", "min_label", "max_label"):
            del item[key]
        item |= {
            "kind": "choice",
            "options": [{"value": 0, "label": "A"}, {"value": 1, "label": "B"}],
        }
    assert install_problems("peg", data) == [
        "scoring_rule: expected 'peg-mean', got 'promis-t-score'",
        "sections[0].items[0].kind: expected 'scale', got 'choice'",
        "sections[0].items[1].kind: expected 'scale', got 'choice'",
        "sections[0].items[2].kind: expected 'scale', got 'choice'",
    ]


def test_it_names_identity_licence_and_leftover_placeholder_problems() -> None:
    data = raw("rmdq")  # still the placeholder file, still "licensed-demo-wording"
    data["version"] = "18-item"
    del data["licence"]["holder"]
    problems = check_install(load_instrument("rmdq"), parse_instrument(data))
    assert problems[:3] == [
        "licence.status: must be 'licensed-installed', got 'licensed-demo-wording'",
        "licence.holder: name the licence holder of the installed text",
        "version: expected '24-item', got '18-item'",
    ]
    assert "sections[0].title: still says 'demo wording'; install the licensed text" in problems
    assert "sections[0].items[23].options[1].label: still says 'demo wording'; install the" in (
        "\n".join(problems)
    )


def test_it_refuses_to_install_over_an_open_instrument() -> None:
    data = raw("pgic")
    data["licence"] = {"status": "licensed-installed", "holder": "Someone"}
    assert install_problems("pgic", data) == [
        "licence.status: 'pgic' ships as 'open'; there is no licensed text to install"
    ]


def test_it_refuses_a_different_instrument_or_rule() -> None:
    data = licensed("promis-pi-4a")
    data["id"] = "promis-pf-4a"
    data["scoring_rule"] = "peg-mean"
    problems = refused(data)
    assert "sections: scoring rule 'peg-mean' needs 3 items, the file has 4" in problems
    data["scoring_rule"] = "promis-t-score"
    assert install_problems("promis-pi-4a", data)[0] == (
        "id: expected 'promis-pi-4a', got 'promis-pf-4a'"
    )


# ---- lookup tables -----------------------------------------------------------------------------


def t_table(**changes: Any) -> dict[str, Any]:
    table: dict[str, Any] = {
        "kind": "t-score",
        "instrument": "promis-pi-4a",
        "version": "1.0",
        "source": "synthetic test table",
        "entries": {raw_sum: 30.0 + raw_sum for raw_sum in range(4, 21)},
    }
    return table | changes


def test_it_accepts_a_complete_t_score_table() -> None:
    table = parse_table(t_table())
    assert check_table(load_instrument("promis-pi-4a"), table) == []


def test_it_names_missing_and_impossible_raw_sums() -> None:
    entries = {raw_sum: 40.0 for raw_sum in [*range(2, 10), *range(12, 21)]}
    table = parse_table(t_table(entries=entries))
    assert check_table(load_instrument("promis-pi-4a"), table) == [
        "entries: 2 raw sums have no entry (first: 10, 11)",
        "entries: 2 raw sums cannot occur (first: 2, 3)",
    ]


def test_it_refuses_a_table_for_another_instrument_version_or_kind() -> None:
    table = parse_table(t_table(instrument="promis-pf-4a", version="2.0"))
    assert check_table(load_instrument("promis-pi-4a"), table) == [
        "instrument: the table is for 'promis-pf-4a', not 'promis-pi-4a'",
        "version: the table is for version '2.0', the instrument is version '1.0'",
    ]
    assert check_table(load_instrument("eq5d5l"), table)[0] == (
        "kind: eq5d5l needs a 'value-set' table, got 't-score'"
    )
    assert check_table(load_instrument("odi"), table) == ["odi is scored without a lookup table"]


def test_it_reads_value_set_profiles_written_as_numbers() -> None:
    table = parse_table(
        {
            "kind": "value-set",
            "instrument": "eq5d5l",
            "version": "5L",
            "country": "Testland",
            "source": "synthetic",
            "entries": {11111: 1.0, "55555": -0.5, 11116: 0.1},
        }
    )
    assert set(table.entries) == {"11111", "55555", "11116"}
    problems = check_table(load_instrument("eq5d5l"), table)
    assert problems == [
        "entries: 3123 profiles have no entry (first: 11112, 11113, 11114, 11115, 11121)",
        "entries: 1 profiles cannot occur (first: 11116)",
    ]


def test_it_names_the_path_in_a_malformed_table() -> None:
    with pytest.raises(InstrumentFileError) as caught:
        parse_table(t_table(entries={4: "high"}, colour="red"), source="pi.yaml")
    assert caught.value.problems == (
        "entries[4]: Input should be a valid number, unable to parse string as a number",
        "colour: Extra inputs are not permitted",
    )


def test_it_models_items_of_both_kinds() -> None:
    (item,) = load_instrument("satisfaction").items
    assert isinstance(item, ChoiceItem)
    assert item.values == (1, 2, 3, 4, 5)
