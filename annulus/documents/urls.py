from django.urls import path

from annulus.documents import views

app_name = "documents"

urlpatterns = [
    path("", views.documents, name="list"),
    path("<int:doc>/file/", views.document_file, name="file"),
]
