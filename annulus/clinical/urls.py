from django.urls import path

from annulus.clinical import views

app_name = "clinical"

urlpatterns = [
    path("imaging/new/", views.imaging_edit, name="imaging_new"),
    path("imaging/<int:study_id>/", views.imaging_edit, name="imaging"),
    path("discography/", views.discography, name="discography"),
    path("injections/new/", views.injection_create, name="injection_new"),
]
