"""Every write of the outcomes app, one function each (the edges call these, nothing else).

- ``enrolment``: anchor on the treatment date, enrol, re-plan, follow a moved date, stop;
- ``links``: issue and re-issue secret links (only hashes kept), check a link, open its response;
- ``answers``: survey pages, save a page, score, submit exactly once, close a window.

Each action opens one transaction and writes its audit event; timers and emails are started with
``transaction.on_commit``. Time is passed in (``now``, aware) so tests and the demo seed can act at
any moment; window dates are days in the clinic's zone (``clock``).
"""

from annulus.outcomes.actions.answers import (
    Page,
    SurveyClosed,
    close_response,
    close_window,
    save_section,
    score_all,
    score_part,
    submit,
    survey_pages,
)
from annulus.outcomes.actions.clock import (
    OutcomesError,
    local_day,
    local_moment,
    window_end,
    window_is_open,
)
from annulus.outcomes.actions.enrolment import (
    ENROLLED_LATE,
    LEFT_PLAN,
    PLANS,
    STOPPED,
    TreatmentAnchor,
    enrol,
    find_anchor,
    replan,
    stop,
    sync_treatment,
)
from annulus.outcomes.actions.links import (
    LinkProblem,
    check_link,
    find_link,
    issue_link,
    link_by_id,
    open_invitation,
    open_response,
    reissue,
    revoke_links,
)

__all__ = [
    "ENROLLED_LATE",
    "LEFT_PLAN",
    "PLANS",
    "STOPPED",
    "LinkProblem",
    "OutcomesError",
    "Page",
    "SurveyClosed",
    "TreatmentAnchor",
    "check_link",
    "close_response",
    "close_window",
    "enrol",
    "find_anchor",
    "find_link",
    "issue_link",
    "link_by_id",
    "local_day",
    "local_moment",
    "open_invitation",
    "open_response",
    "reissue",
    "replan",
    "revoke_links",
    "save_section",
    "score_all",
    "score_part",
    "stop",
    "submit",
    "survey_pages",
    "sync_treatment",
    "window_end",
    "window_is_open",
]
