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
