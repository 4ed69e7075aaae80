"""The e-mail about changed decisions, sent once an imported list has committed.

The core group hears of every new method and changed decision; the leaders of the units mapped
to a method's specialty (``Specialty``) hear of that method. One message per person, listing
what changed for them, with a link to the difference between the versions. The first version
of the list is the starting point and is not e-mailed.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from legemiddel.accounts.models import User
from legemiddel.accounts.roles import Role
from legemiddel.core.mail import Outgoing, absolute_url, mail_send_many
from legemiddel.core.models import MailDelivery
from legemiddel.lib.formatting import format_date
from legemiddel.methods.models import MethodImport, Specialty
from legemiddel.methods.reading import specialty_names
from legemiddel.methods.versions import Change, import_diff
from legemiddel.organisation.models import OrgUnit, UnitMembership

MAIL_KIND = "methods"
TEMPLATE = "methods/email/changes"
# A message lists at most this many methods; the difference page has the rest.
MAX_ITEMS = 100


def _related(member: OrgUnit, mapped: OrgUnit) -> bool:
    """A leader of the mapped unit, of a unit above it or of a unit under it."""
    if member.trust_id != mapped.trust_id:
        return False
    return (
        member.path == mapped.path
        or mapped.path.startswith(member.path + "/")
        or member.path.startswith(mapped.path + "/")
    )


def _leaders_by_specialty(names: set[str]) -> dict[str, set[int]]:
    """Specialty name -> ids of the unit leaders (current membership, active, with an e-mail
    address) of the units mapped to it."""
    mapped: dict[str, list[OrgUnit]] = defaultdict(list)
    for specialty in Specialty.objects.filter(name__in=names).prefetch_related("units"):
        mapped[specialty.name].extend(specialty.units.all())
    if not mapped:
        return {}
    today = timezone.localdate()
    memberships = list(
        UnitMembership.objects.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=today),
            Q(valid_to__isnull=True) | Q(valid_to__gte=today),
            role=Role.UNIT_LEADER,
            user__is_active=True,
            user__groups__name=Role.UNIT_LEADER.value,
        )
        .exclude(user__email="")
        .select_related("org_unit")
        .distinct()
    )
    found: dict[str, set[int]] = defaultdict(set)
    for name, units in mapped.items():
        for membership in memberships:
            if any(_related(membership.org_unit, unit) for unit in units):
                found[name].add(membership.user_id)
    return found


def _message(user: User, batch: MethodImport, new: list[Change], changed: list[Change],
             removed: int, everything: bool) -> Outgoing:  # fmt: skip
    count = len(new) + len(changed)
    subject = (
        f"Nye metoder: {len(changed)} endrede beslutninger og {len(new)} nye metoder "
        f"(listen fra {format_date(timezone.localtime(batch.created_at))})"
    )
    return Outgoing(
        to=user.email,
        name=user.display_name,
        subject=subject,
        template=TEMPLATE,
        context={
            "changed": changed[:MAX_ITEMS],
            "new": new[: max(0, MAX_ITEMS - len(changed))],
            "more": max(0, count - MAX_ITEMS),
            "removed": removed if everything else 0,
            "everything": everything,
            "file_name": batch.file_name,
            "diff_url": absolute_url(reverse("methods:diff", args=[batch.pk])),
        },
        kind=MAIL_KIND,
        ref=f"methods_import:{batch.pk}",
    )


def methods_mail_changes(*, batch_id: int) -> list[MailDelivery]:
    """E-mail what a version changed to the core group and the unit leaders concerned (once
    per version). Returns the log rows of the messages."""
    batch = MethodImport.objects.filter(pk=batch_id).first()
    if batch is None:
        return []
    ref = f"methods_import:{batch.pk}"
    if MailDelivery.objects.filter(kind=MAIL_KIND, ref=ref).exists():
        return []
    diff = import_diff(batch)
    if diff.previous is None or not (diff.new or diff.changed):
        return []
    core = set(
        User.objects.filter(is_active=True, groups__name=Role.CORE_GROUP.value)
        .exclude(email="")
        .values_list("pk", flat=True)
    )
    names = {
        n for c in diff.new + diff.changed for n in specialty_names(c.row.get("specialty", ""))
    }
    leaders = _leaders_by_specialty(names)
    concerns: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for change in diff.new + diff.changed:
        for name in specialty_names(change.row.get("specialty", "")):
            for user_id in leaders.get(name, ()):
                concerns[user_id].add(_ident(change))
    people = User.objects.filter(pk__in=core | set(concerns)).order_by("last_name", "username")
    messages: list[Outgoing] = []
    for user in people:
        everything = user.pk in core
        mine = concerns.get(user.pk, set())

        def wanted(change: Change, everything: bool = everything, mine: Any = mine) -> bool:
            return everything or _ident(change) in mine

        new = [c for c in diff.new if wanted(c)]
        changed = [c for c in diff.changed if wanted(c)]
        if new or changed:
            messages.append(_message(user, batch, new, changed, len(diff.removed), everything))
    return mail_send_many(messages=messages) if messages else []


def _ident(change: Change) -> tuple[str, str]:
    return (change.method_id, str(change.row.get("indication", "")))
