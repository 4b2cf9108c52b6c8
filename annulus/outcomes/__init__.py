"""Outcomes: patient-reported questionnaires, scoring, follow-up plans, invitations and results.

Pure cores (no Django import; mypy --strict, 100 % branch coverage):

- ``catalog``     instrument files (``instruments/<id>.yaml``) as validated data, and the checks
                  that a clinic's licensed text or lookup table matches the shipped structure;
- ``scoring``     one function per scoring rule id, and ``score(instrument, answers)``;
- ``responders``  change against baseline with the thresholds of clinical-reference §4.9-4.10;
- ``schedule``    follow-up plans relative to the treatment date, and re-planning.

The Django app around them:

- ``models``      enrolments, invitations per time point, secret links, responses, installs;
- ``actions/``    every write (enrol, re-plan, stop, links, save a page, submit, close a window);
- ``delivery``    timers (django-tasks): invitation, two reminders, window close; the emails;
- ``signals``     a treatment date edited anywhere re-plans pending invitations;
- ``library``     which wording and tables are in use, and which instruments each time point asks;
- ``installs``    ``annulus instruments install``: licensed text and lookup tables;
- ``results``, ``charts``   what staff see: states, trajectories, responders, completion rates;
- ``survey_views`` / ``views``   the patient's survey and the staff pages.
"""
