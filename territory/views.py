from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from territory.models import (
    CityDistrict,
    Mayoralty,
    Municipality,
    PlanningRegion,
    Province,
    Settlement,
)


def index(request: HttpRequest) -> HttpResponse:
    return render(request, "territory/index.html", {"regions": PlanningRegion.objects.all()})


def region(request: HttpRequest, code: str) -> HttpResponse:
    return render(request, "territory/region.html", {"region": get_object_or_404(PlanningRegion, code=code)})


def province(request: HttpRequest, code: str) -> HttpResponse:
    return render(request, "territory/province.html", {"province": get_object_or_404(Province, code=code)})


def municipality(request: HttpRequest, code: str) -> HttpResponse:
    obj = get_object_or_404(Municipality, code=code)
    return render(request, "territory/municipality.html", {"municipality": obj})


def mayoralty(request: HttpRequest, code: str) -> HttpResponse:
    obj = get_object_or_404(Mayoralty, code=code)
    return render(request, "territory/mayoralty.html", {"mayoralty": obj})


def settlement(request: HttpRequest, ekatte: str) -> HttpResponse:
    obj = get_object_or_404(Settlement, ekatte=ekatte)
    return render(request, "territory/settlement.html", {"settlement": obj})


def district(request: HttpRequest, code: str) -> HttpResponse:
    obj = get_object_or_404(CityDistrict, code=code)
    return render(request, "territory/district.html", {"district": obj})
