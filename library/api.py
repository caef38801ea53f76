"""The app's part of the read API (api/api.py mounts it under /api/v1/)."""

from ninja import Router

router = Router()
