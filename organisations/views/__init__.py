"""The catalogue's pages, by area; each module lists its own URL patterns."""
