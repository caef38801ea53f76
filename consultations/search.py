"""The consultations in the site's full-text search (core.search): registered at start-up."""
