"""The staff calendar, mounted at /staff/calendar/ (staff-only, deny by default)."""

from django.urls import path

from annulus.scheduling.views import staff as staff_views
from annulus.scheduling.views import staff_waitlist

app_name = "scheduling_staff"

urlpatterns = [
    path("", staff_views.calendar, name="calendar"),
    path("new/", staff_views.appointment_new, name="appointment_new"),
    path("appointments/<int:pk>/", staff_views.appointment_detail, name="appointment"),
    path("appointments/<int:pk>/move/", staff_views.appointment_move, name="appointment_move"),
    path(
        "appointments/<int:pk>/cancel/", staff_views.appointment_cancel, name="appointment_cancel"
    ),
    path(
        "appointments/<int:pk>/arrived/",
        staff_views.appointment_arrived,
        name="appointment_arrived",
    ),
    path(
        "appointments/<int:pk>/no-show/",
        staff_views.appointment_no_show,
        name="appointment_no_show",
    ),
    path(
        "appointments/<int:pk>/follow-up/dismiss/",
        staff_views.appointment_follow_up_dismiss,
        name="appointment_follow_up_dismiss",
    ),
    path("waitlist/", staff_waitlist.waitlist, name="waitlist"),
    path("waitlist/<int:pk>/remove/", staff_waitlist.waitlist_remove, name="waitlist_remove"),
]
