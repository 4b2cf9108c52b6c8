from django.urls import path

from annulus.website import views

app_name = "website"

urlpatterns = [
    path("", views.home, name="home"),
    path("learn/", views.article_list, name="article_list"),
    path("learn/<slug:slug>/", views.article, name="article"),
    path("disclaimer/", views.disclaimer, name="disclaimer"),
    path("sitemap.xml", views.sitemap_xml, name="sitemap_xml"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
]
