"""The catalogue in the read API: organisations and networks (filled in by the catalogue)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["organisations"])
