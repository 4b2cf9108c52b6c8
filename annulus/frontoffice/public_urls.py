from django.urls import path

from annulus.frontoffice import public_views

app_name = "referral_public"

urlpatterns = [
    path("", public_views.refer, name="refer"),
    path("thanks/", public_views.thanks, name="thanks"),
]
