from django.urls import path

from annulus.outcomes import views

app_name = "patient_outcomes"

urlpatterns = [
    path("", views.patient_outcomes, name="detail"),
    path("enrol/", views.enrol_patient, name="enrol"),
    path("stop/", views.stop_follow_up, name="stop"),
    path("invitations/<int:invitation_id>/reissue/", views.reissue_link, name="reissue"),
    path("report.pdf", views.report_pdf, name="report"),
]
