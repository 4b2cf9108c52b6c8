from django.urls import path

from annulus.patients import access_report_views, views

app_name = "patients"

urlpatterns = [
    path("", views.patient_list, name="list"),
    path("new/", views.patient_create, name="create"),
    path("<int:pk>/", views.patient_detail, name="detail"),
    path("<int:pk>/edit/", views.patient_edit, name="edit"),
    path("<int:pk>/intake/", views.intake_edit, name="intake"),
    path("<int:pk>/intake/review/", views.intake_review, name="intake_review"),
    path("<int:pk>/intake/link/", views.intake_link_create, name="intake_link"),
    path("<int:pk>/history/", views.change_history, name="history"),
    path("<int:pk>/access-report/", access_report_views.access_report, name="access_report"),
]
