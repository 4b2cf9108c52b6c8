"""A patient's candidacy pages, mounted at /staff/patients/<pk>/."""

from django.urls import path

from annulus.candidacy import views

app_name = "patient_candidacy"

urlpatterns = [
    path("candidacy/", views.candidacy_page, name="page"),
    path("evaluations/<int:evaluation_id>/", views.evaluation_detail, name="evaluation"),
    path("evaluations/<int:evaluation_id>/accept/", views.evaluation_accept, name="accept"),
    path("evaluations/<int:evaluation_id>/override/", views.evaluation_override, name="override"),
    path("evaluations/<int:evaluation_id>/cosign/", views.evaluation_cosign, name="cosign"),
    path(
        "evaluations/<int:evaluation_id>/consult-note.pdf",
        views.consult_note_pdf,
        name="consult_note",
    ),
]
