"""`treatment_anchor_changed`: the one event that says a patient's treatment date may have moved.

The treatment anchor (the first fibrin procedure, else the planned procedure date, else the first
referral elsewhere) decides when follow-up surveys fall due. Only the write actions send this
event, inside their transaction, after they changed one of those records: `update_patient` (the
planned date), `record_procedure` and `refer_elsewhere`. Outcomes connects the receiver that
re-plans pending invitations, so the plan never disagrees with the record.

Receivers get `patient` (the `Patient`) as a keyword argument and run inside the sender's
transaction.
"""

from __future__ import annotations

from django.dispatch import Signal

treatment_anchor_changed = Signal()
