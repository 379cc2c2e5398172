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
    path("<slug:code>/reports/", views.service_reports, name="reports"),
    re_path(
        r"^(?P<code>[-\w]+)/reports/(?P<pk>\d+)\.(?P<fmt>pdf|xlsx|json)$",
        views.service_report_file,
        name="report_file",
    ),
    re_path(r"^(?P<code>[-\w]+)/(?P<key>[a-z_]+)\.(?P<fmt>csv|xlsx)$", views.export, name="export"),
]
