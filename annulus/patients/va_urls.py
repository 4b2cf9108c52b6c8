"""Mounted at /staff/patients/<pk>/va/: a veteran's VA Community Care referrals."""

from django.urls import path

from annulus.patients import va_views

app_name = "va"

urlpatterns = [
    path("", va_views.overview, name="overview"),
    path("authorizations/new/", va_views.authorization_edit, name="authorization_new"),
    path(
        "authorizations/<int:authorization_id>/",
        va_views.authorization_edit,
        name="authorization",
    ),
    path(
        "authorizations/<int:authorization_id>/visits/new/",
        va_views.visit_create,
        name="visit_new",
    ),
    path("visits/<int:visit_id>/claim/", va_views.claim_submit, name="claim"),
]
