from __future__ import annotations

import getpass
import sys
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from legemiddel.accounts.models import User
from legemiddel.accounts.roles import UNIT_SCOPED_ROLES, Role
from legemiddel.accounts.services import user_create
from legemiddel.organisation.models import OrgUnit
from legemiddel.organisation.services import membership_add


class Command(BaseCommand):
    help = (
        "Create a local user with roles and unit memberships. Roles: "
        + ", ".join(Role.values)
        + ". Example: legemiddel createuser ola --role unit_leader --unit MED-REV --email ola@example.org"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--role",
            action="append",
            default=[],
            choices=Role.values,
            help="A role (repeat for several).",
        )
        parser.add_argument(
            "--unit",
            action="append",
            default=[],
            help="Code of a unit the user's unit-scoped roles apply to (repeatable).",
        )
        parser.add_argument("--email", default="")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--hpr", default="", help="HPR number for health personnel.")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="Read the password from standard input instead of prompting.",
        )
        parser.add_argument(
            "--no-password",
            action="store_true",
            help="No local password (the user logs in through single sign-on).",
        )

    def handle(self, *args: Any, **o: Any) -> None:
        if User.objects.filter(username=o["username"]).exists():
            raise CommandError(f"The user name {o['username']!r} is taken.")
        units = []
        for code in o["unit"]:
            unit = OrgUnit.objects.filter(code=code).first()
            if unit is None:
                raise CommandError(f"No unit has the code {code!r}. See the organisation page.")
            units.append(unit)
        scoped = [r for r in o["role"] if r in UNIT_SCOPED_ROLES]
        if units and not scoped:
            raise CommandError(
                "--unit needs a unit-scoped role: " + ", ".join(sorted(UNIT_SCOPED_ROLES))
            )
        password: str | None = None
        if not o["no_password"]:
            if o["password_stdin"]:
                password = sys.stdin.readline().rstrip("\n")
            else:
                password = getpass.getpass("Password: ")
                if password != getpass.getpass("Password (again): "):
                    raise CommandError("The passwords differ.")
            try:
                validate_password(password, User(username=o["username"], email=o["email"]))
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
        try:
            with transaction.atomic():
                user = user_create(
                    username=o["username"],
                    password=password,
                    first_name=o["first_name"],
                    last_name=o["last_name"],
                    email=o["email"],
                    roles=o["role"],
                    hpr_number=o["hpr"],
                )
                for unit in units:
                    for role in scoped:
                        membership_add(user=user, org_unit=unit, role=role)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {user.username} with roles: {', '.join(o['role']) or 'none'}"
            )
        )
