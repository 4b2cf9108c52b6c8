from django.urls import path

from annulus.interop import views

app_name = "fhir"

urlpatterns = [
    path("metadata", views.metadata, name="metadata"),
    path("$export", views.system_export, name="export"),
    path("Group/<str:gid>/$export", views.group_export, name="group_export"),
    path("Patient/<str:rid>/$everything", views.everything, name="everything"),
    path("bulkstatus/<int:export_id>", views.export_status, name="export_status"),
    path("bulkstatus/<int:export_id>/<str:rtype>.ndjson", views.export_file, name="export_file"),
    path("<str:rtype>/<str:rid>", views.read, name="read"),
]
