from django.urls import path, re_path

from . import views

app_name = "analytics_service"

urlpatterns = [
    path("<slug:code>/", views.dashboard, name="dashboard"),
    path("<slug:code>/indicators/", views.service_indicators, name="indicators"),
    path(
        "<slug:code>/indicators/<slug:indicator_code>/",
        views.service_indicator,
        name="indicator",
    ),
    re_path(r"^(?P<code>[-\w]+)/(?P<key>[a-z_]+)\.(?P<fmt>csv|xlsx)$", views.export, name="export"),
]
