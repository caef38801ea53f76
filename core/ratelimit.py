"""A small fixed-window rate limit on the cache, for writes that allauth does not guard."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def client_key(request: HttpRequest) -> str:
    """The signed-in person, or else the client address (hashed: no addresses in the cache)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    address = request.META.get("REMOTE_ADDR", "")
    return "ip:" + hashlib.sha256(address.encode()).hexdigest()[:16]


def hit(scope: str, key: str, limit: int, period: int) -> bool:
    """Count one action; False once there were more than `limit` in the current window."""
    cache_key = f"ratelimit:{scope}:{key}"
    cache.add(cache_key, 0, timeout=period)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=period)
        count = 1
    return count <= limit


def ratelimit(
    scope: str, limit: int, period: int, methods: tuple[str, ...] = ("POST",)
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Refuse with 429 when one person (or address) repeats a write too often."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method in methods and not hit(scope, client_key(request), limit, period):
                return render(request, "core/too_many_requests.html", status=429)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
