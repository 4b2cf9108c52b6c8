from django.urls import path

from annulus.workbench import views

app_name = "workbench"

urlpatterns = [
    path("", views.home, name="home"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/<int:pk>/", views.staff_detail, name="staff_detail"),
    path("clinic/", views.clinic_settings, name="clinic_settings"),
]
