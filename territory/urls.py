from django.urls import path

from territory import views

app_name = "territory"

urlpatterns = [
    path("", views.index, name="index"),
    path("regions/<str:code>/", views.region, name="region"),
    path("provinces/<str:code>/", views.province, name="province"),
    path("municipalities/<str:code>/", views.municipality, name="municipality"),
    path("mayoralties/<str:code>/", views.mayoralty, name="mayoralty"),
    path("settlements/<str:ekatte>/", views.settlement, name="settlement"),
    path("districts/<str:code>/", views.district, name="district"),
]
