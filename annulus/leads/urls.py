from django.urls import path

from annulus.leads import views

app_name = "leads"

urlpatterns = [
    path("", views.guide, name="guide"),
    path("thanks/", views.thanks, name="thanks"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
