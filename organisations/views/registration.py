"""Registering and claiming organisations, verification, representatives (placeholder)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
