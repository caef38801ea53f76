"""Settings for the test suite: the same module, with test-only overrides."""

import os

os.environ.setdefault("ENVIRONMENT", "test")

from config.settings import *  # noqa: F403

# Fast hashing: tests create many users; production keeps the default hasher.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tasks run at once in the test process; tests of the worker itself switch to the DB backend.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# E-mail goes through a real SMTP server started by the tests (tests/conftest.py sets the port).
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = int(os.environ.get("EREGION_TEST_SMTP_PORT", "8025"))
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
