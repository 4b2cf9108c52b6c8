"""Outcomes: patient-reported questionnaires, their scoring, responder status and follow-up plans.

The modules here are pure (no Django import) and form the core the app will be built around:

- ``catalog``     instrument files (``instruments/<id>.yaml``) as validated data, and the check
                  that a clinic's licensed text matches the shipped structure;
- ``scoring``     one function per scoring rule id, and ``score(instrument, answers)``;
- ``responders``  change against baseline with the thresholds of clinical-reference §4.9-4.10;
- ``schedule``    follow-up plans relative to the treatment date, and re-planning.
"""
