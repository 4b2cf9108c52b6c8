from django.urls import path

from annulus.screening import views

app_name = "screening"

urlpatterns = [
    path("", views.start, name="start"),
    path("about-your-pain/", views.about_your_pain, name="about_your_pain"),
    path("result/<str:token>/", views.result, name="result"),
]
