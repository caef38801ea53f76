from django.urls import path, register_converter

from territory import views


class CodeConverter:
    """Official codes (PDV, PDV22, PDV22-01, 68134-24, 56784): anything else is a 404 at once."""

    regex = "[A-Za-z0-9-]{1,16}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(CodeConverter, "code")

app_name = "territory"

urlpatterns = [
    path("", views.index, name="index"),
    path("regions/<code:code>/", views.region, name="region"),
    path("provinces/<code:code>/", views.province, name="province"),
    path("municipalities/<code:code>/", views.municipality, name="municipality"),
    path("mayoralties/<code:code>/", views.mayoralty, name="mayoralty"),
    path("settlements/<code:ekatte>/", views.settlement, name="settlement"),
    path("districts/<code:code>/", views.district, name="district"),
]
