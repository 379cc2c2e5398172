from django.urls import path, re_path

from . import views

app_name = "analytics"

urlpatterns = [
    path("", views.statistics, name="statistics"),
    path("rating/", views.effectiveness, name="rating"),
    re_path(r"^rating\.(?P<fmt>csv|xlsx)$", views.effectiveness, name="rating_export"),
    path("authorities/<slug:code>/", views.authority, name="authority"),
    path("reviews/", views.reviews, name="reviews"),
    path("reviews/<int:pk>/", views.review, name="review"),
    re_path(r"^reviews/(?P<pk>\d+)\.(?P<fmt>pdf|xlsx|json)$", views.review, name="review_file"),
    path("indicators/", views.indicator_list, name="indicators"),
    path("indicators/<slug:code>/", views.indicator_detail, name="indicator"),
]
