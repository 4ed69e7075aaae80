"""``legemiddel import KIND FILE``: the same importers as the web upload, in the foreground."""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from legemiddel.core import jobs, outbox, tempfiles
from legemiddel.lib.tabular import ImportRejected


class Command(BaseCommand):
    help = "Import a file. Kinds: " + ", ".join(f"{k.key} ({k.label})" for k in jobs.all_kinds())

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "kind", choices=[k.key for k in jobs.all_kinds()], help="What the file contains."
        )
        parser.add_argument("file", type=Path, help="Path to the file.")
        options = {o.key: o for k in jobs.all_kinds() for o in k.options}
        for key, option in options.items():
            kinds = ", ".join(k.key for k in jobs.all_kinds() if option in k.options)
            parser.add_argument(
                f"--{key}",
                action="store_true",
                help=f"({kinds}) {option.label}. {option.help_text}",
            )

    def handle(self, *args: Any, kind: str, file: Path, **options: Any) -> None:
        if not file.is_file():
            raise CommandError(f"{file}: no such file.")
        # Working copies left by an import that died (they may hold fødselsnummer).
        tempfiles.sweep()
        job_kind = jobs.get(kind)
        chosen = {o.key: True for o in job_kind.options if options.get(o.key)}
        for key in {o.key for k in jobs.all_kinds() for o in k.options} - {
            o.key for o in job_kind.options
        }:
            if options.get(key):
                raise CommandError(f"--{key} does not apply to {kind}.")
        console = Console(file=cast("IO[str]", self.stderr), stderr=True)
        with Progress(
            TextColumn(f"{job_kind.label} [bold]{file.name}[/]"),
            BarColumn(),
            TaskProgressColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as bar:
            task = bar.add_task("import", total=None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            try:
                summary = job_kind.run(
                    path=file, actor=None, file_name=file.name, progress=progress, **chosen
                )
            except ImportRejected as exc:
                bar.stop()
                table = Table(
                    title=f"{len(exc.errors)} feil i {file.name} – ingenting er importert"
                )
                for col in ("Rad", "Kolonne", "Verdi", "Feil"):
                    table.add_column(col)
                for e in exc.errors[:200]:
                    table.add_row(str(e.row or "–"), e.column, e.value, e.message)
                console.print(table)
                if len(exc.errors) > 200:
                    console.print(f"... og {len(exc.errors) - 200} feil til.")
                raise CommandError("Importen ble avvist; rett feilene og prøv igjen.") from exc
        # In the foreground the figures that depend on the file are brought up to date before
        # the command returns (the worker would otherwise do it from the outbox).
        outbox.process()
        if isinstance(summary, jobs.JobResult):
            summary = summary.summary
        self.stdout.write(self.style.SUCCESS(f"Importert {file.name}: {summary}"))
