from django.urls import path

from annulus.frontoffice import public_views

app_name = "consult_note_public"

urlpatterns = [
    path("", public_views.note, name="note"),
    path("file/", public_views.note_file, name="file"),
    path("<str:token>/", public_views.note_start, name="start"),
]
