from django.urls import path

from annulus.safety import check_in_views

app_name = "check_in"

urlpatterns = [
    path("", check_in_views.check_in_form, name="form"),
    path("<str:token>/", check_in_views.check_in_start, name="start"),
]
