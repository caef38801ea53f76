"""Territorial units in the portal's search (core.search)."""
