from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.profile, name="profile"),
    path("notifications/", views.preferences, name="preferences"),
    path("follow/", views.follow, name="follow"),
    path("export/", views.export, name="export"),
    path("delete/", views.delete, name="delete"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
