from django.urls import path

from annulus.consents import public_views

app_name = "consent_public"

urlpatterns = [
    path("", public_views.consent_sign, name="sign"),
    path("done/", public_views.consent_done, name="done"),
    path("<str:token>/", public_views.consent_start, name="start"),
]
