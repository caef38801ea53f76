from django.utils.translation import get_language


def localized(bg: str, en: str = "") -> str:
    """The English form on English pages where one exists, otherwise the Bulgarian one."""
    if en and (get_language() or "bg").startswith("en"):
        return en
    return bg
