"""Scheduling: resources, availability, slots, appointments, booking, reminders, calendar files.

`annulus.scheduling.slots` is the pure core (standard library only): it turns weekly hours,
exceptions, busy intervals and a service's timing into bookable UTC slots. The Django parts
(models, actions, views, API) wrap it and never re-implement its time arithmetic.
"""
