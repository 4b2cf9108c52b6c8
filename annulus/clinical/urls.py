from django.urls import path

from annulus.clinical import treatment_views, views

app_name = "clinical"

urlpatterns = [
    path("imaging/new/", views.imaging_edit, name="imaging_new"),
    path("imaging/<int:study_id>/", views.imaging_edit, name="imaging"),
    path("discography/", views.discography, name="discography"),
    path("injections/new/", views.injection_create, name="injection_new"),
    path("treatment/", treatment_views.treatment, name="treatment"),
    path("treatment/procedures/new/", treatment_views.procedure_create, name="procedure_new"),
    path(
        "treatment/adverse-events/new/",
        treatment_views.adverse_event_create,
        name="adverse_event_new",
    ),
    path("treatment/referrals/new/", treatment_views.referral_create, name="referral_new"),
]
