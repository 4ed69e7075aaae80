from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import IO, Any, cast

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from rich.console import Console
from rich.table import Table

from legemiddel.demo.services import DEMO_PASSWORD, DEMO_USERS, demo_load


class Command(BaseCommand):
    help = (
        "Load the synthetic demo (a Bergen-like trust, its health community and one user per "
        "role) into the configured database, then serve it with a background worker."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--no-serve", action="store_true", help="Load the demo and exit.")
        parser.add_argument(
            "--port", type=int, default=8000, help="Port to serve on (default 8000)."
        )

    def handle(self, *args: Any, no_serve: bool, port: int, **options: Any) -> None:
        if settings.IS_PRODUCTION:
            raise CommandError(
                "Refusing to load demo users (password 'demo') into a production database. "
                "Unset LEGEMIDDEL_MODE=production or point DATABASE_URL at another database."
            )
        translation.activate(settings.LANGUAGE_CODE)
        console = Console(file=cast("IO[str]", self.stdout))
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        with console.status("Oppretter tabeller ...") as status:
            call_command("migrate", interactive=False, verbosity=0)
            demo_load(progress=lambda step: status.update(f"Laster demo: {step} ..."))
        table = Table(title=f"Demobrukere (passord for alle: {DEMO_PASSWORD})")
        table.add_column("Brukernavn")
        table.add_column("Rolle")
        table.add_column("Hvem")
        for spec in DEMO_USERS:
            table.add_row(spec.username, str(spec.role.label), spec.what)
        console.print(table)
        console.print(f"Database: {settings.DATABASES['default']['NAME']}")
        if no_serve:
            return
        # Links in the e-mails and notices lead to this server, on the port it runs on, unless
        # the site's address is configured.
        if not os.environ.get("SITE_URL"):
            settings.SITE_URL = f"http://127.0.0.1:{port}"
        env = {**os.environ, "LEGEMIDDEL_MODE": settings.MODE, "SITE_URL": settings.SITE_URL}
        worker = subprocess.Popen([sys.executable, "-m", "legemiddel", "worker"], env=env)
        # SIGTERM would end this process without running the finally below and leave the
        # worker running: turn it into an ordinary exit so the demo stops what it started.
        previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
        try:
            console.print(f"Åpne http://127.0.0.1:{port}/ og logg inn med en av brukerne over.")
            call_command("serve", port=port)
        finally:
            signal.signal(signal.SIGTERM, previous)
            worker.terminate()
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()


def _exit_on_sigterm(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)
