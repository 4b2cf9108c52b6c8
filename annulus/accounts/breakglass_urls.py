from django.urls import path

from annulus.accounts import breakglass_views as views

app_name = "breakglass"
urlpatterns = [
    path("", views.reviews, name="reviews"),
    path("patients/<int:pk>/", views.open_access, name="open"),
]
