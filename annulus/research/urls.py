from django.urls import path

from annulus.research import views

app_name = "research"

urlpatterns = [
    path("", views.research_page, name="page"),
    path("download/", views.research_download, name="download"),
]
