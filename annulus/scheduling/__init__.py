"""Scheduling: resources, availability, slots, appointments, booking, reminders, calendar files.

`annulus.scheduling.slots` is the pure core (standard library only): it turns weekly hours,
exceptions, busy intervals and a service's timing into bookable UTC slots, and holds the
opening-hours rule the staff calendar shows. The Django parts wrap it and never re-implement its
time arithmetic:

* `models/` (setup: locations, resources, services; hours; appointments and what they hold);
* `availability` reads the database for the core (plans, busy times, the cached service);
* `actions/` is the only writer (booking by patients, changes, staff), one transaction each;
* `views/` (public booking pages, the patient's manage pages, the staff calendar) and `api`
  parse, authorize, call an action and render.
"""
