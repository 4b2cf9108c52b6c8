"""Scheduling pages. `public` and `manage`: the patient's booking pages (shared parts in
`common`); `staff`: the staff calendar. Views parse, authorize, call an action and render: no
writes here."""
