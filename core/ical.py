"""Calendars (RFC 5545) that people subscribe to: all-day deadlines (a network's work plan,
the closing days of consultations) and timed events (public discussions, trainings), whose
times are written in UTC so that they stay right across daylight-saving changes.

UIDs are stable per object and built on the portal's own host name (never the address a
request came by), so a subscribed calendar updates an event instead of adding a new one; a
cancelled one is sent as cancelled.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone


@dataclass(frozen=True)
class DayEvent:
    uid: str  # unique within the portal, e.g. "network-task-12"
    day: datetime.date
    summary: str
    description: str
    url: str  # absolute
    last_modified: datetime.datetime
    sequence: int = 0
    cancelled: bool = False
    # A timed event instead of an all-day one: both aware datetimes (then `day` is ignored).
    starts_at: datetime.datetime | None = None
    ends_at: datetime.datetime | None = None
    location: str = ""


def escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Lines of at most 75 octets; continuations start with a space (never inside a character)."""
    out: list[str] = []
    current = b""
    for char in line:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > 75:
            out.append(current.decode("utf-8"))
            current = b" "
        current += encoded
    out.append(current.decode("utf-8"))
    return "\r\n".join(out)


def host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "eregion"


def absolute(url: str) -> str:
    return url if url.startswith(("http://", "https://")) else settings.SITE_URL + url


def _utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def _when(e: DayEvent) -> list[str]:
    if e.starts_at and e.ends_at:
        return [f"DTSTART:{_utc(e.starts_at)}", f"DTEND:{_utc(e.ends_at)}"]
    return [
        f"DTSTART;VALUE=DATE:{e.day:%Y%m%d}",
        f"DTEND;VALUE=DATE:{e.day + datetime.timedelta(days=1):%Y%m%d}",
    ]


def calendar(name: str, product: str, events: Iterable[DayEvent]) -> str:
    """The text of a calendar named `name` with an event per item."""
    stamp = timezone.now().astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    domain = host()
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//eregion//{product}//BG",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:" + escape(name),
        "X-WR-TIMEZONE:Europe/Sofia",
    ]
    for e in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{e.uid}@{domain}",
            f"DTSTAMP:{stamp}",
            f"LAST-MODIFIED:{e.last_modified.astimezone(datetime.UTC):%Y%m%dT%H%M%SZ}",
            *_when(e),
            "SUMMARY:" + escape(e.summary),
            "DESCRIPTION:" + escape(e.description),
            "URL:" + e.url,
            *(["LOCATION:" + escape(e.location)] if e.location else []),
            "STATUS:" + ("CANCELLED" if e.cancelled else "CONFIRMED"),
            "TRANSP:" + ("OPAQUE" if e.starts_at else "TRANSPARENT"),
            f"SEQUENCE:{e.sequence}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
