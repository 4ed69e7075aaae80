"""WSGI entry point (waitress via ``legemiddel serve``, or any WSGI server).

``legemiddel serve`` collects the static files itself before it builds the application. Another
WSGI server loads this module directly, so in production it refuses to start until
``legemiddel collectstatic --noinput`` has written the manifest of hashed file names: without
it every page would fail on its first stylesheet.
"""

import os
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "legemiddel.config.settings")
application = get_wsgi_application()

_static_root = settings.STATIC_ROOT
if _static_root and not (Path(_static_root) / "staticfiles.json").exists():
    raise ImproperlyConfigured(
        f"No static files in {_static_root}: run 'legemiddel collectstatic --noinput' "
        "after each installation or upgrade, before starting the WSGI server."
    )
