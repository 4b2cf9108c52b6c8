"""The patient record's events, sent only by the write actions, inside their transaction.

`treatment_anchor_changed`: a patient's treatment date may have moved.

The treatment anchor (the first fibrin procedure, else the planned procedure date, else the first
referral elsewhere) decides when follow-up surveys fall due. Only the write actions send this
event, inside their transaction, after they changed one of those records: `update_patient` (the
planned date), `record_procedure` and `refer_elsewhere`. Outcomes connects the receiver that
re-plans pending invitations, so the plan never disagrees with the record.

`record_changed`: a row of the patient's record (the patient row or a clinical record) was saved
or deleted; sent by `history.save_clinical` and `delete_clinical`, through which every such write
goes, with the row's model as sender. Outcomes keeps the report's per-follow-up summary current
from it (`annulus/outcomes/follow_up_summary.py`).

Receivers get `patient` (the `Patient`) as a keyword argument and run inside the sender's
transaction.
"""

from __future__ import annotations

from django.dispatch import Signal

treatment_anchor_changed = Signal()
record_changed = Signal()
