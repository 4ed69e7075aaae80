"""Test settings: the production module with speed-ups only.

The database still comes from ``DATABASE_URL`` so the same suite runs on SQLite and PostgreSQL.
"""

import os

os.environ.setdefault("LEGEMIDDEL_MODE", "test")

from legemiddel.config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MAIL_RETRY_SECONDS = 0
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file rather than memory: tests that run work in several threads at once (two
    # refreshes, the worker) need connections that wait for each other's write lock, which
    # an in-memory database shared between connections does not do.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}  # noqa: F405
