from django.urls import path

from annulus.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.outbox, name="outbox"),
    path("<int:pk>/", views.email_detail, name="email_detail"),
    path("<int:pk>/retry/", views.email_retry, name="email_retry"),
]
