app_name = "research"

urlpatterns: list = []
