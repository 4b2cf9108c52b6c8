from django.urls import path

from annulus.website import views

app_name = "website"

urlpatterns = [
    path("", views.home, name="home"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
]
