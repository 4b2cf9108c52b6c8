from django.urls import include, path

urlpatterns = [
    path("accounts/", include("annulus.accounts.urls")),
    path("staff/", include("annulus.workbench.urls")),
    path("", include("annulus.website.urls")),
]

handler500 = "annulus.website.views.server_error"
