from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.cabinet, name="cabinet"),
    path("profile/", views.profile_edit, name="profile"),
    path("verify/", views.verify, name="verify"),
    path("second-factor-required/", views.mfa_required, name="mfa_required"),
]
