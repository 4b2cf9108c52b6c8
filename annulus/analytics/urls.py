from django.urls import path

from annulus.analytics import views

app_name = "analytics"

urlpatterns = [
    path("", views.report_page, name="report"),
    path("report.csv", views.report_csv, name="report_csv"),
    path("report.pdf", views.report_pdf, name="report_pdf"),
    path("publish/", views.publish, name="publish"),
]
