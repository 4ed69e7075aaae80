from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.functional import empty


class Command(BaseCommand):
    help = "Serve the web application with waitress (a production-grade pure-Python WSGI server)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--port", type=int, default=8000, help="Port (default 8000).")
        parser.add_argument(
            "--host",
            default="127.0.0.1",
            help="Address to bind (default 127.0.0.1; put a TLS proxy in front for other hosts).",
        )
        parser.add_argument("--threads", type=int, default=8, help="Worker threads (default 8).")

    def handle(self, *args: Any, port: int, host: str, threads: int, **options: Any) -> None:
        from django.core.wsgi import get_wsgi_application
        from waitress import serve

        if settings.IS_PRODUCTION:
            if not settings.ALLOWED_HOSTS:
                raise CommandError(
                    "ALLOWED_HOSTS must name the host names the service answers to "
                    "(e.g. ALLOWED_HOSTS=legemiddel.example.no); without it every request "
                    "is refused."
                )
            self._collect_static()
        self.stdout.write(f"Legemiddel on http://{host}:{port}/ (Ctrl+C stops)")
        proxy: dict[str, object] = {}
        if settings.BEHIND_TLS_PROXY:
            # Let waitress take the client address and scheme from the proxy, so HTTPS
            # detection, the audit trail and login throttling see the real client.
            proxy = {
                "trusted_proxy": settings.TRUSTED_PROXY,
                "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto"},
                "clear_untrusted_proxy_headers": True,
            }
        # Only now, with the files collected, is the application built: whitenoise indexes
        # STATIC_ROOT and the storage reads the manifest of hashed names when it starts.
        application = get_wsgi_application()
        serve(application, host=host, port=port, threads=threads, ident="legemiddel", **proxy)

    def _collect_static(self) -> None:
        """Copy the static files of this version into STATIC_ROOT under hashed names and write
        the manifest, before anything reads them: a first start and a start after an upgrade
        then serve every file the pages name."""
        from django.contrib.staticfiles.storage import staticfiles_storage

        call_command("collectstatic", interactive=False, verbosity=0)
        # Whatever read the storage before (a system check) read the manifest as it was; the
        # next use reads the one just written.
        staticfiles_storage._wrapped = empty  # type: ignore[attr-defined]
