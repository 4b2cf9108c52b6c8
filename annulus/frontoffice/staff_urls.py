"""Referring doctors and incoming referrals, mounted at /staff/referrers/."""

from django.urls import path

from annulus.frontoffice import staff_views

app_name = "referrers"

urlpatterns = [
    path("", staff_views.doctors, name="list"),
    path("<int:doctor_id>/", staff_views.doctor_edit, name="edit"),
    path("referrals/", staff_views.referrals, name="referrals"),
    path("referrals/<int:referral_id>/", staff_views.referral_detail, name="referral"),
    path(
        "referrals/<int:referral_id>/files/<int:file_id>/",
        staff_views.referral_file,
        name="referral_file",
    ),
]
