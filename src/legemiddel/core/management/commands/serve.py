from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


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
            call_command("collectstatic", interactive=False, verbosity=0)
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
        application = get_wsgi_application()
        serve(application, host=host, port=port, threads=threads, ident="legemiddel", **proxy)
