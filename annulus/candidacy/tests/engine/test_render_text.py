"""The text format reads like a consult note: outcome, one line per criterion, what is missing."""

from __future__ import annotations

from annulus.candidacy.engine import Decision, ProtocolRef, render_text

from .support import SPEC_EXAMPLE, decide, example


def test_it_reads_like_a_consult_note() -> None:
    text = render_text(decide(SPEC_EXAMPLE))
    lines = text.splitlines()

    assert lines[0] == "Candidacy decision for case example-1, assessed 2026-10-01"
    assert lines[1].startswith("Protocol annulus-default v1 (sha256 ")
    assert "Outcome: CANDIDATE for intra-annular fibrin at L4-L5." in lines
    assert "Next: intra-annular fibrin injection." in lines
    order = [lines.index(h) for h in ("Criteria", "Warnings", "To do")]
    assert order == sorted(order)
    assert any("P-DURATION" in line and "Back pain for 14 months" in line for line in lines)
    assert any("L-HEIGHT" in line and "L4-L5: Disc height loss 15%" in line for line in lines)
    assert text.endswith("  nothing missing\n")
    assert all(len(line) <= 100 for line in lines[2:])


def test_it_lists_failures_routes_warnings_and_the_to_do_list() -> None:
    case = example(
        **{"patient.age_years": 80, "symptoms.odi": None, "history.opioid_mme_per_day": 90}
    )
    text = render_text(decide(case))

    assert "Outcome: NOT A CANDIDATE for intra-annular fibrin." in text
    assert "Next: multidisciplinary review." in text
    assert "  FAIL     P-AGE" in text
    assert "  missing  P-DISABILITY" in text
    assert "  - Opioid use of 90 MME/day (above 60 MME/day)." in text
    assert text.endswith("To do\n  - Disability score: ODI or RMDQ\n")


def test_it_heads_an_urgent_referral_with_where_to_go() -> None:
    text = render_text(decide(example(**{"red_flags.bladder_or_bowel_dysfunction": True})))

    assert "Outcome: URGENT REFERRAL: a red flag is present. Stop the candidacy work-up." in text
    assert "Next: the emergency department now." in text
    assert "  FAIL     RF-BLADDER-BOWEL       Bladder or bowel dysfunction: yes." in text


def test_it_renders_a_decision_built_without_an_assessment_date() -> None:
    decision = Decision(
        case_id="c",
        protocol=ProtocolRef("p", 2, "0" * 64),
        outcome="needs_more_information",
        levels=(),
        routes=(),
        criteria=(),
        missing=("Provocative discography",),
        warnings=(),
    )
    text = render_text(decision)
    assert text.startswith("Candidacy decision for case c\nProtocol p v2")
    assert "NEEDS MORE INFORMATION" in text and "Next:" not in text
