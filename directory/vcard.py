"""A directory entry as a vCard (RFC 6350), so people can keep an office in their contacts."""

from __future__ import annotations

from directory.models import Institution


def escape(value: str) -> str:
    """RFC 6350 §3.4: backslash, comma and semicolon are escaped, newlines become \\n."""
    return (
        value.replace("\\", "\\\\")
        .replace(",", "\\,")
        .replace(";", "\\;")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """RFC 6350 §3.2: lines longer than 75 octets continue on lines starting with a space."""
    out: list[str] = []
    current = b""
    for ch in line:
        encoded = ch.encode("utf-8")
        limit = 75 if not out else 74  # continuation lines begin with one space
        if len(current) + len(encoded) > limit:
            out.append(current.decode("utf-8"))
            current = b""
        current += encoded
    out.append(current.decode("utf-8"))
    return "\r\n ".join(out)


def vcard(i: Institution, url: str) -> str:
    lines = ["BEGIN:VCARD", "VERSION:4.0", "KIND:org", f"FN:{escape(i.name_bg)}"]
    lines.append(f"ORG:{escape(i.name_bg)}")
    if i.address or i.postal_code or i.settlement:
        locality = i.settlement.name_bg if i.settlement else ""
        parts = ["", "", i.address, locality, "", i.postal_code, "България"]
        lines.append("ADR;TYPE=work:" + ";".join(escape(p) for p in parts))
    for phone in i.phone_list:
        lines.append(f"TEL;TYPE=work,voice;VALUE=text:{escape(phone)}")
    if i.email:
        lines.append(f"EMAIL;TYPE=work:{escape(i.email)}")
    if i.website:
        lines.append(f"URL:{escape(i.website)}")
    if i.head_position and i.head_name:
        lines.append(f"NOTE:{escape(f'{i.head_position}: {i.head_name}')}")
    lines.append(f"SOURCE:{escape(url)}")
    lines.append(f"REV:{i.updated_at:%Y%m%dT%H%M%SZ}")
    lines.append("END:VCARD")
    return "".join(fold(line) + "\r\n" for line in lines)
