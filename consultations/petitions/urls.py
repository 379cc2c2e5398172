"""Public and personal pages of this instrument (mounted at /petitions/)."""

from django.urls import path

from . import views

app_name = "petitions"
urlpatterns = [
    path("", views.petition_list, name="list"),
    path("new/", views.create, name="create"),
    path("my/", views.my_petitions, name="my"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("<int:pk>/", views.petition_detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/sign/", views.sign, name="sign"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/<str:action>/", views.author_action, name="author_action"),
]
