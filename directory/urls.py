from django.urls import path

from directory import views

app_name = "directory"

urlpatterns = [
    path("", views.index, name="index"),
    path("institutions/<int:pk>/", views.detail, name="detail"),
    path("institutions/<int:pk>/vcard", views.vcard, name="vcard"),
    path("who-serves/", views.who_serves, name="who-serves"),
]
