from django.urls import path

from annulus.consents import staff_views

app_name = "consents"

urlpatterns = [
    path("", staff_views.consent_list, name="list"),
    path("<int:consent_id>/open/", staff_views.consent_open, name="open"),
    path("<int:consent_id>/pdf/", staff_views.consent_pdf, name="pdf"),
]
