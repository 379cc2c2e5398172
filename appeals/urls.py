from django.urls import path

from . import views

app_name = "appeals"

urlpatterns = [
    path("new/", views.file_appeal, name="file"),
    path("my/", views.my_list, name="my_list"),
    path("my/<int:pk>/", views.my_detail, name="my_detail"),
    path("my/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("my/<int:pk>/letter/", views.my_letter, name="my_letter"),
    path(
        "my/<int:pk>/<str:action>/",
        views.citizen_action,
        name="citizen_action",
    ),
    path("my/<int:pk>/files/<int:attachment_pk>/", views.my_attachment, name="my_attachment"),
    path(
        "my/<int:pk>/files/<int:attachment_pk>/thumb/",
        views.my_attachment,
        {"thumb": True},
        name="my_attachment_thumb",
    ),
    path("cosign/<str:token>/", views.cosign, name="cosign"),
    path("letters/<str:code>/", views.verify_letter, name="verify_letter"),
]
