from django.urls import path

from annulus.interop import staff_views

app_name = "fhir_clients"

urlpatterns = [
    path("", staff_views.clients, name="list"),
    path("<int:pk>/revoke/", staff_views.revoke, name="revoke"),
]
