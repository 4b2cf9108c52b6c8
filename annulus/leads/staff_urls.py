"""Staff pages for leads, mounted at /staff/leads/ (deny by default: staff only)."""

from django.urls import path

from annulus.leads import staff_views

app_name = "leads_staff"

urlpatterns = [
    path("", staff_views.lead_list, name="list"),
    path("export.csv", staff_views.lead_export, name="export"),
    path("guide.pdf", staff_views.guide_preview, name="guide_preview"),
    path("<int:pk>/", staff_views.lead_detail, name="detail"),
    path("<int:pk>/contacted/", staff_views.lead_contacted, name="contacted"),
]
