"""The demo portal scope: the South Central region as in 2003 plus three municipalities.

The six provinces are read from the versioned region memberships valid on 31.12.2007, never
from a constant list (domain-rules §6.2), so a corrected membership file corrects the demo.
"""

from __future__ import annotations

import datetime

from django.db import transaction

from territory.models import Municipality, PortalScope, Province, RegionMembership

DEMO_REGION = "BG42"
DEMO_DAY = datetime.date(2007, 12, 31)
DEMO_MUNICIPALITIES = ["SOF46", "PVN24", "SLV20"]  # Столична, Плевен, Сливен
DEMO_NAME_BG = "Южен централен район и общините Столична, Плевен и Сливен"
DEMO_NAME_EN = "South Central region and the municipalities of Stolichna, Pleven and Sliven"


@transaction.atomic
def apply_demo_scope() -> bool:
    """Set the demo scope if the administrator has not chosen one; True if anything changed."""
    scope = PortalScope.current()
    if scope.provinces.exists() or scope.municipalities.exists():
        return False
    province_codes = (
        RegionMembership.objects.valid_on(DEMO_DAY)
        .filter(region_id=DEMO_REGION)
        .values("province_id")
    )
    provinces = list(Province.objects.filter(code__in=province_codes))
    municipalities = list(Municipality.objects.filter(code__in=DEMO_MUNICIPALITIES))
    if not provinces and not municipalities:
        return False  # the territory is not loaded yet
    scope.name_bg = DEMO_NAME_BG
    scope.name_en = DEMO_NAME_EN
    scope.save(update_fields=["name_bg", "name_en"])
    scope.provinces.set(provinces)
    scope.municipalities.set(municipalities)
    return True
