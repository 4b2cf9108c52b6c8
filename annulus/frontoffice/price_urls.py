"""The clinic's price list, mounted at /staff/price-list/."""

from django.urls import path

from annulus.frontoffice import staff_views

app_name = "price_list"

urlpatterns = [
    path("", staff_views.price_list, name="list"),
    path("<int:item_id>/", staff_views.price_edit, name="edit"),
]
