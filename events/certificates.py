"""Certificates of trainings: the PDF (WeasyPrint, A4 landscape, DejaVu Sans for Cyrillic),
the codes people type on the public verification page, and the form for typing one.

The PDF is drawn from the `Certificate` row's copies (name, title, days, hours, organiser),
never from the registration or the event as they are now: a certificate states what was true
when it was issued. It is always in Bulgarian, the language of the document it replaces, and
its verification address is the portal's canonical one (settings.SITE_URL), not the host the
request came through.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.conf import settings
from django.template.defaultfilters import floatformat
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy, ngettext

from core import documents
from events.models import Certificate

LANGUAGE = "bg"
# Looking codes up: a few a minute is plenty for a person checking a CV; guessing 12 characters
# of a 31-letter alphabet at this pace never ends.
CHECK_SCOPE, CHECK_LIMIT, CHECK_PERIOD = "events-certificate-check", 20, 600
VERIFY_SCOPE, VERIFY_LIMIT, VERIFY_PERIOD = "events-certificate-verify", 60, 600


def normalise_code(raw: str) -> str:
    """As printed, whatever was typed: no spaces (inside either), capitals."""
    return "".join(raw.split()).upper()


def verification_url(code: str) -> str:
    with translation.override(LANGUAGE):
        return settings.SITE_URL + reverse("events:certificate-verify", args=[code])


def file_name(certificate: Certificate) -> str:
    return f"certificate-{certificate.code}.pdf"


def hours_text(value: Decimal | int | None) -> str:
    """ "16 академични часа", "7,5 академични часа", "1 академичен час"; '' without hours."""
    if value is None:
        return ""
    hours = Decimal(str(value))
    # ngettext wants a whole number to choose the form; a fraction reads as the plural.
    whole = hours == hours.to_integral_value()
    count = int(hours) if whole else 2
    return ngettext("%(hours)s academic hour", "%(hours)s academic hours", count) % {
        "hours": floatformat(hours, "-1")
    }


def render_html(certificate: Certificate) -> str:
    with translation.override(LANGUAGE):
        return render_to_string(
            "events/after/certificate_pdf.html",
            {
                "certificate": certificate,
                "hours": hours_text(certificate.hours),
                "verify_url": verification_url(certificate.code),
            },
        )


def render_pdf(certificate: Certificate) -> bytes:
    data, _pages = documents.render_pdf(render_html(certificate))
    return data


class CheckForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Certificate code"),
        help_text=gettext_lazy("As printed on the certificate, for example K7M2QX9AHP4T."),
        max_length=40,
        error_messages={"required": gettext_lazy("Type the code of the certificate.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )

    def clean_code(self) -> str:
        code = normalise_code(self.cleaned_data["code"])
        if not code:
            raise forms.ValidationError(gettext_lazy("Type the code of the certificate."))
        max_length = Certificate._meta.get_field("code").max_length or 16
        if len(code) > max_length or not Certificate.objects.filter(code=code).exists():
            # The same sentence for every miss: nothing about what exists is given away.
            raise forms.ValidationError(
                gettext_lazy(
                    "No certificate has this code. Check that you typed it as it is printed."
                )
            )
        return code
