"""Public booking pages, mounted at /book/."""

from django.urls import path

from annulus.scheduling.views import manage, public, waitlist, waitlist_place

app_name = "scheduling"

urlpatterns = [
    path("", public.start, name="start"),
    path("details/", public.details, name="details"),
    path("appointment/", manage.appointment, name="appointment"),
    path("appointment/calendar.ics", manage.appointment_ics_view, name="appointment_ics"),
    path("appointment/change/", manage.reschedule, name="reschedule"),
    path("appointment/cancel/", manage.cancel, name="cancel"),
    path(
        "appointment/waitlist/<int:entry_id>/leave/",
        manage.leave_waitlist,
        name="waitlist_leave",
    ),
    path("appointment/waitlist/join/", manage.join_waitlist, name="waitlist_join_booked"),
    path("manage/<str:token>/", manage.manage_link, name="manage_link"),
    path("waitlist/join/", waitlist.join, name="waitlist_join"),
    path("waitlist/offer/", waitlist.offer, name="waitlist_offer"),
    path("waitlist/place/", waitlist_place.place, name="waitlist_place"),
    path("waitlist/place/<str:token>/", waitlist_place.place_link, name="waitlist_place_link"),
    path("waitlist/<str:token>/", waitlist.offer_link, name="waitlist_offer_link"),
]
