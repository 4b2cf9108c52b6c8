"""Public booking pages, mounted at /book/."""

from django.urls import path

from annulus.scheduling import views

app_name = "scheduling"

urlpatterns = [
    path("", views.start, name="start"),
    path("details/", views.details, name="details"),
    path("appointment/", views.appointment, name="appointment"),
    path("appointment/calendar.ics", views.appointment_ics_view, name="appointment_ics"),
    path("appointment/change/", views.reschedule, name="reschedule"),
    path("appointment/cancel/", views.cancel, name="cancel"),
    path("manage/<str:token>/", views.manage_link, name="manage_link"),
]
