"""Help pages: a short guide per role, a glossary, and each import kind's format with a
downloadable template built from its header profile (so the template always carries the
headers the importer accepts)."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from legemiddel.accounts.access import LOGGED_IN, access, request_user
from legemiddel.accounts.roles import Role
from legemiddel.core import jobs
from legemiddel.core.downloads import TABLE_FORMATS, table_response
from legemiddel.lib.profiles import Column, load_profile


@dataclass(frozen=True)
class RoleHelp:
    role: Role
    tasks: tuple[str | Promise, ...]


ROLE_HELP: tuple[RoleHelp, ...] = (
    RoleHelp(
        Role.UNIT_LEADER,
        (
            _(
                "The start page shows your units' measures, the worst first, with the change "
                "since last month. Follow the link to see the units and prescribers behind a figure."
            ),
            _("Under Follow-up you drill from the trust to your units and to one prescriber."),
            _("The monthly e-mail sums up the same figures; you can turn it off there."),
        ),
    ),
    RoleHelp(
        Role.CONTROLLER,
        (
            _(
                "You import the sales statistics (SLS) under Imports, with a template per file type."
            ),
            _(
                "A file with errors is refused as a whole and you get the rows to fix, or you may "
                "accept the valid rows and fix the rest from the report."
            ),
            _("The start page shows your units' measures; cost drivers are under Follow-up."),
        ),
    ),
    RoleHelp(
        Role.ADVISORY_PHARMACIST,
        (
            _("The start page shows your units' measures, the worst first."),
            _("Use the prescriber view of a measure to prepare feedback to a unit."),
        ),
    ),
    RoleHelp(
        Role.CORE_GROUP,
        (
            _("The start page shows the trust's measures and the units that need attention."),
            _("You import usage data and map unknown codes under Usage data."),
            _("You read any unit leader's monthly e-mail before it goes out."),
        ),
    ),
    RoleHelp(
        Role.PROCUREMENT_ADVISER,
        (
            _("You register LIS agreements, publish rankings and distribute the notice."),
            _("You grant and withdraw access to confidential prices."),
        ),
    ),
    RoleHelp(
        Role.PHARMACY,
        (_("You follow the usage imports and the codes waiting to be mapped under Usage data."),),
    ),
    RoleHelp(
        Role.ADMINISTRATOR,
        (
            _("You import the drug catalogue, the organisation and the health personnel."),
            _("You manage users, roles and unit memberships under Administration."),
        ),
    ),
)

GLOSSARY: tuple[tuple[str | Promise, str | Promise], ...] = (
    (
        _("LIS"),
        _(
            "The specialist health service's drug procurement: national agreements with prices "
            "and a ranking of equivalent drugs."
        ),
    ),
    (_("First choice"), _("The drug ranked first in a LIS agreement: the one to start with.")),
    (
        _("DDD"),
        _(
            "Defined daily dose: the assumed average dose per day for the main indication, used "
            "to compare use across packages."
        ),
    ),
    (
        _("Treatment start"),
        _("A patient's first dispensing or administration of a drug after a period without it."),
    ),
    (
        _("H-prescription"),
        _(
            "A prescription of a drug the hospital pays for, dispensed at a pharmacy and "
            "reported by Helfo."
        ),
    ),
    (
        _("Provisional month"),
        _(
            "One of the newest data months, which may still change as late sales are corrected; "
            "marked as provisional in tables and charts."
        ),
    ),
    (_("SLS"), _("The hospital pharmacy's sales statistics per customer, month and package.")),
    (
        _("Measure"),
        _("A reviewed figure followed every month, such as the share on first choice."),
    ),
    (_("Target"), _("The value a measure should reach; units furthest from it come first.")),
)


@access(LOGGED_IN)
def help_index(request: HttpRequest) -> HttpResponse:
    """Help for the user's own roles first, then for the others; the import formats."""
    user = request_user(request)
    mine = [h for h in ROLE_HELP if user.has_role(h.role)]
    others = [h for h in ROLE_HELP if h not in mine]
    kinds = [kind for kind in jobs.all_kinds() if kind.profile is not None]
    return render(
        request,
        "web/help/index.html",
        {"mine": mine, "others": others, "kinds": kinds, "may_import": jobs.any_allowed(user)},
    )


@access(LOGGED_IN)
def glossary(request: HttpRequest) -> HttpResponse:
    return render(request, "web/help/glossary.html", {"terms": GLOSSARY})


def _kind_with_profile(key: str) -> jobs.JobKind:
    try:
        kind = jobs.get(key)
    except KeyError:
        raise Http404 from None
    if kind.profile is None:
        raise Http404
    return kind


def _columns(kind: jobs.JobKind) -> tuple[Column, ...]:
    assert kind.profile is not None
    return load_profile(kind.profile, frozenset({"patient"})).columns


@access(LOGGED_IN)
def format_page(request: HttpRequest, key: str) -> HttpResponse:
    """The columns of one import kind, read from its header profile."""
    kind = _kind_with_profile(key)
    example = dict(kind.example)
    rows = [(c, example.get(c.name, "")) for c in _columns(kind)]
    return render(
        request, "web/help/format.html", {"kind": kind, "rows": rows, "formats": TABLE_FORMATS}
    )


@access(LOGGED_IN)
def format_template(request: HttpRequest, key: str, fmt: str) -> HttpResponse:
    """A file with the headers the importer reads and one example row, to fill in."""
    kind = _kind_with_profile(key)
    if fmt not in TABLE_FORMATS:
        raise Http404
    columns = _columns(kind)
    example = dict(kind.example)
    return table_response(
        fmt,
        f"mal-{kind.key}",
        [c.display for c in columns],
        [[example.get(c.name, "") for c in columns]],
    )
