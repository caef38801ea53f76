from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from api.api import api
from config import views
from core import views as core_views

urlpatterns = [
    path("i18n/setlang/", core_views.set_language, name="set_language"),
    path("api/v1/", api.urls),
    path("healthz", core_views.healthz, name="healthz"),
]

urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("search/", core_views.search, name="search"),
    path("accessibility/", core_views.accessibility, name="accessibility"),
    path("data-sources/", core_views.about_data, name="about-data"),
    path("about/<slug:slug>/", core_views.page, name="page"),
    path("api/", views.api_page, name="api-page"),
    path("territory/", include("territory.urls")),
    path("directory/", include("directory.urls")),
    path("organisations/", include("organisations.urls")),
    path("consultations/", include("consultations.urls")),
    path("events/", include("events.urls")),
    path("monitoring/", include("monitoring.urls")),
    path("assessments/", include("assessments.urls")),
    path("library/", include("library.urls")),
    path("news/", include("news.urls")),
    path("accounts/", include("allauth.urls")),
    path("profile/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)

handler403 = "core.views.error_403"
handler404 = "core.views.error_404"
handler500 = "core.views.error_500"
