from django.urls import path

from . import views

app_name = "appeals"

urlpatterns = [
    path("new/", views.file_appeal, name="file"),
    path("my/", views.my_list, name="my_list"),
    path("my/<int:pk>/", views.my_detail, name="my_detail"),
    path("my/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("my/<int:pk>/letter/", views.my_letter, name="my_letter"),
    path("letters/<str:code>/", views.verify_letter, name="verify_letter"),
]
