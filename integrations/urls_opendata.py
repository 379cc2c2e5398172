"""Open data (mounted at /open-data/): the page, the dumped files, the paginated JSON."""

from django.urls import path, re_path

from . import views_opendata as views

app_name = "opendata"
urlpatterns = [
    path("", views.index, name="index"),
    re_path(r"^files/(?P<name>[a-z_]+)\.(?P<fmt>csv|json|geojson)$", views.download, name="file"),
    path("api/<slug:name>/", views.api, name="api"),
]
