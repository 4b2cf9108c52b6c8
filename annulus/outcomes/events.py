"""The outcomes app's own signal, in a module that imports nothing heavy.

``invitations_planned`` is sent on commit by enrolment and re-planning with ``jobs``, a list of
(invitation id, revision) whose timer chain must start; ``delivery.start_timers`` receives it
(connected in ``signals.py``), so the actions never import the timers that call them. It lives
here, not in ``actions.clock``, so that connecting it at start-up does not import every action.
"""

from __future__ import annotations

from django.dispatch import Signal

invitations_planned = Signal()
