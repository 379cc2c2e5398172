from django.urls import path

from . import views

app_name = "appeals"

urlpatterns = [
    path("letters/<str:code>/", views.verify_letter, name="verify_letter"),
]
