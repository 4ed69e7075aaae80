"""WSGI entry point (waitress via ``legemiddel serve``, or any WSGI server)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "legemiddel.config.settings")
application = get_wsgi_application()
