"""The ``legemiddel`` console script: Django's management commands under one product name.

Product commands: demo, serve, worker, migrate, createuser, import, backup, restore, prune. Every other Django
management command works too (``legemiddel help`` lists them all).
"""

from __future__ import annotations

import os
import sys

PRODUCT_COMMANDS = [
    ("demo", "Load the synthetic demo and serve it with a worker (--no-serve: load only)."),
    ("serve", "Serve the web application on 127.0.0.1 (--port N)."),
    ("worker", "Run background jobs (file imports) from the database queue."),
    ("migrate", "Create or update the database tables."),
    ("createuser", "Create a user with roles and unit memberships."),
    ("import", "Import a file: fest (FEST zip/XML), atc, org or personnel (CSV)."),
    ("festgen", "Write a synthetic FEST file (--demo: the demo catalogue)."),
    ("alerts", "Queue the monthly e-mail to unit leaders (--now: send at once)."),
    ("pricereminders", "E-mail those whose price access soon expires (run it daily)."),
    ("meetingreminders", "Remind the participants of the coming meetings (run it daily)."),
    ("backup", "Back up the database to a verified file (--verify FILE: check a backup)."),
    ("restore", "Restore a backup into an empty database (refuses other keys)."),
    ("prune", "Delete log entries older than their retention period (run it daily)."),
]

# Commands that make sense on a developer's machine without any configuration. Without a
# SECRET_KEY they run in demo mode (bound to 127.0.0.1) instead of failing.
_LOCAL_COMMANDS = {"demo", "serve", "worker"}


def _print_help() -> None:
    print("Usage: legemiddel COMMAND [options]\n")
    print("Commands:")
    for name, text in PRODUCT_COMMANDS:
        print(f"  {name:<11} {text}")
    print("\n'legemiddel COMMAND --help' describes a command; 'legemiddel help' lists all")
    print("Django management commands, which also work. Configuration: docs/operations.md.")


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help"}:
        _print_help()
        return
    command = args[0]
    has_secret = bool(os.environ.get("SECRET_KEY") or os.environ.get("SECRET_KEY_FILE"))
    # Help reads no secret, so it needs none: it works on a server not yet configured.
    wants_help = command == "help" or any(a in {"-h", "--help"} for a in args[1:])
    local = command == "demo" or (command in _LOCAL_COMMANDS and not has_secret)
    if (local or wants_help) and "LEGEMIDDEL_MODE" not in os.environ:
        os.environ["LEGEMIDDEL_MODE"] = "demo"
        if command != "demo" and not wants_help:
            print("legemiddel: no SECRET_KEY set; running in demo mode.", file=sys.stderr)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "legemiddel.config.settings")

    from legemiddel.lib.env import ConfigError

    try:
        from django.core.management import execute_from_command_line

        execute_from_command_line(["legemiddel", *args])
    except ConfigError as exc:
        print(f"legemiddel: configuration error: {exc}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
