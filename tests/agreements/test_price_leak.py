"""Confidential LIS prices reach nobody without a grant, through any path.

The demo's agreements carry prices. With every grant revoked, each demo user (one per role)
opens every URL of the product (as a page and as an htmx fragment; exports in CSV and XLSX;
the API; the admin; error pages) and the notices e-mailed; none may contain a price, a cost
computed from a price, or a discount that reveals one. A new URL whose arguments this test
cannot fill makes it fail: decide how it is walked when you add it.

The positive control (a user with a grant sees the same values on the price page and in its
exports) proves the search would find a leak.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib import admin
from django.core import mail
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from legemiddel.accounts.models import User
from legemiddel.agreements import services
from legemiddel.agreements.models import (
    Agreement,
    AgreementLine,
    Delivery,
    Notice,
    PriceAccessGrant,
    PriceAccessRequest,
)
from legemiddel.agreements.pricing import line_costs
from legemiddel.catalogue.selectors import current_public_prices
from legemiddel.demo.services import DEMO_USERS, demo_load
from legemiddel.governance.models import Forum, Meeting, MeetingAction
from legemiddel.lib.formatting import format_number
from legemiddel.methods.models import Method, MethodImport, Specialty
from legemiddel.usage.models import ImportBatch

pytestmark = pytest.mark.django_db


def _walk(patterns, prefix="", namespaces=()):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = (*namespaces, p.namespace) if p.namespace else namespaces
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), ":".join(namespaces), p


@pytest.fixture
def demo(db):
    demo_load(usage=False)
    _price_requests()
    PriceAccessGrant.objects.update(revoked_at=timezone.now())


def _price_requests() -> None:
    """Requests for price access in every state, so that their pages and e-mails are walked:
    one granted (the grant is revoked with the others), one declined, one waiting."""
    adviser = User.objects.get(username="innkjop")
    granted = services.price_access_request(
        user=User.objects.get(username="lmk"), need="Vurdering av kostnader i LMK"
    )
    services.price_access_request_grant(
        price_request=granted,
        expires_on=timezone.localdate() + timedelta(days=10),
        actor=adviser,
    )
    declined = services.price_access_request(
        user=User.objects.get(username="apotek"), need="Lagerplanlegging"
    )
    services.price_access_request_decline(
        price_request=declined, reason="Lagerplanlegging trenger ikke LIS-prisen", actor=adviser
    )
    services.price_access_request(
        user=User.objects.get(username="forskriver"), need="Kostnadsbevisst forskrivning"
    )


def _variants(value: Decimal) -> set[str]:
    """How a price can show up in HTML, CSV, JSON or an e-mail."""
    two = value.quantize(Decimal("0.01"))
    grouped = format_number(two, 2)
    return {
        str(two),
        str(two).replace(".", ","),
        grouped,
        grouped.replace("\u00a0", " "),
        grouped.replace("\u00a0", "&nbsp;"),
        grouped.replace("\u00a0", "&#160;"),
    }


def _secrets() -> tuple[set[str], set[Decimal]]:
    """Every confidential figure: LIS prices, costs at LIS prices and discounts on AIP."""
    lines = list(AgreementLine.objects.select_related("package", "agreement"))
    assert lines, "the demo must have agreement lines with prices"
    costs = line_costs(lines, current_public_prices({line.package_id for line in lines}))
    numbers: set[Decimal] = set()
    texts: set[str] = set()
    for c in costs:
        for value in (c.lis_price, c.cost):
            if value is not None:
                numbers.add(value.quantize(Decimal("0.01")))
                texts |= _variants(value)
        if c.discount_percent is not None:
            texts.add(format_number(c.discount_percent, 1) + " %")
    assert len(numbers) > 20
    return texts, numbers


def _xlsx_values(content: bytes) -> list[object]:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    values: list[object] = []
    for name in book.sheet_names:
        for row in book.get_sheet_by_name(name).to_python():
            values.extend(row)
    return values


def _leaks(content: bytes, texts: set[str], numbers: set[Decimal]) -> list[str]:
    if content.startswith(b"PK\x03\x04"):
        found = []
        for value in _xlsx_values(content):
            if isinstance(value, float) and Decimal(str(value)).quantize(Decimal("0.01")) in (
                numbers
            ):
                found.append(str(value))
            elif isinstance(value, str) and any(t in value for t in texts):
                found.append(value)
        return found
    text = content.decode("utf-8", errors="replace")
    return [t for t in texts if t in text]


def _urls() -> list[str]:
    """Every product URL with its arguments filled from the demo data."""
    agreement = Agreement.objects.get(title="Anti-VEGF 2025")
    line = agreement.lines.order_by("id").first()
    notice = Notice.objects.filter(agreement=agreement).order_by("id").first()
    assert line is not None
    assert notice is not None
    values = {
        "agreement_id": [agreement.pk],
        "line_id": [line.pk],
        "number": [1, 2],
        "code": ["VEGF", "L01FF02", "L04AB02"],
        "fmt": ["csv", "xlsx"],
        "notice_id": [notice.pk],
        "delivery_id": [Delivery.objects.filter(notice=notice).first().pk],
        "meeting_id": [Meeting.objects.get(agreement=agreement).pk],
        "forum_id": list(Forum.objects.values_list("pk", flat=True)),
        "action_id": [MeetingAction.objects.first().pk if MeetingAction.objects.exists() else 1],
        "attachment_id": [1],
        "grant_id": [PriceAccessGrant.objects.first().pk],
        "request_id": list(PriceAccessRequest.objects.values_list("pk", flat=True)),
        "varenr": [line.package_id],
        "fest_id": [line.package.brand.substance_links.first().substance_id],
        "unit_id": [1],
        "job_id": [1],
        "key": ["forstevalg-ddd--VEGF", "kostnad--VEGF", "gevinst-potensial--VEGF"],
        "batch_id": [ImportBatch.objects.first().pk if ImportBatch.objects.exists() else 1],
        # Income control (no prices): a finding and a reporting year.
        "finding_id": [1],
        "year_id": [1],
        # Nye metoder: a method (the demo's first, or a missing one).
        "pk": [Method.objects.order_by("pk").values_list("pk", flat=True).first() or 1],
        # Nye metoder (no prices): a method's page.
        "method_id": [1],
        # Nye metoder: a version of the decision list (the demo loads two).
        "import_id": list(MethodImport.objects.values_list("pk", flat=True)) or [1],
        "specialty_id": [Specialty.objects.values_list("pk", flat=True).first() or 1],
    }
    urls: list[str] = []
    missing: list[str] = []
    for route, namespace, _pattern in _walk(get_resolver().url_patterns):
        if namespace.startswith("admin") or route.startswith("admin/"):
            continue  # walked model by model below
        names = re.findall(r"<(?:\w+:)?(\w+)>", route)
        unknown = [n for n in names if n not in values]
        if unknown:
            missing.append(f"{route}: {unknown}")
            continue
        combos: list[str] = [route]
        for name in names:
            combos = [
                re.sub(rf"<(?:\w+:)?{name}>", str(v), c, count=1)
                for c in combos
                for v in values[name]
            ]
        urls += ["/" + c for c in combos]
    assert not missing, "Give the price-leak test values for these URL arguments:\n" + "\n".join(
        missing
    )
    return urls


def _admin_urls() -> list[str]:
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        meta = model._meta
        urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        first = model._default_manager.first()
        if first is not None:
            urls.append(
                reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[first.pk])
            )
    return urls


def test_no_page_export_fragment_or_api_shows_a_price_without_a_grant(demo):
    texts, numbers = _secrets()
    urls = [*_urls(), "/avtaler/omrade/FINNES-IKKE/", "/avtaler/register/999999/priser/"]
    assert len(urls) > 60
    opened = 0
    leaks: list[str] = []
    for spec in DEMO_USERS:
        client = Client()
        client.force_login(User.objects.get(username=spec.username))
        extra = _admin_urls() if spec.username == "admin" else []
        for url in urls + extra:
            for headers in ({}, {"HX-Request": "true"}):
                response = client.get(url, headers=headers)
                opened += 1
                found = _leaks(response.content, texts, numbers)
                if found:
                    leaks.append(f"{spec.username} {url} {headers}: {sorted(found)[:3]}")
    assert opened > 1000
    assert leaks == [], "Prices reached users without a grant:\n" + "\n".join(leaks)


def test_price_pages_are_refused_without_a_grant_for_every_role(demo):
    agreement = Agreement.objects.get(title="Anti-VEGF 2025")
    for spec in DEMO_USERS:
        client = Client()
        client.force_login(User.objects.get(username=spec.username))
        for url in (
            reverse("agreements:prices", args=[agreement.pk]),
            reverse("agreements:prices_export", args=[agreement.pk, "xlsx"]),
        ):
            assert client.get(url).status_code == 403, (spec.username, url)


def test_notices_and_the_audit_trail_hold_no_price(demo, client):
    """A publication by the procurement adviser without a grant, approved and e-mailed."""
    texts, numbers = _secrets()
    adviser = User.objects.get(username="innkjop")
    agreement = Agreement.objects.get(title="MS 2026")
    line = agreement.lines.order_by("id").first()
    services.line_save(line=line, actor=adviser, price_visible=True, lis_price=Decimal("4321.17"))
    texts |= _variants(Decimal("4321.17"))
    client.force_login(adviser)
    response = client.post(
        reverse("agreements:publish", args=[agreement.pk]), {"note": "Ny pris og rangering"}
    )
    assert response.status_code == 302
    notice = Notice.objects.get(agreement=agreement, status=Notice.Status.DRAFT)
    mail.outbox.clear()
    client.post(
        reverse("agreements:notice_send", args=[notice.pk]),
        {"subject": notice.subject, "body": notice.body},
    )
    assert len(mail.outbox) > 3
    for message in mail.outbox:
        parts = [message.subject, message.body] + [c for c, _ in message.alternatives]
        assert _leaks("".join(parts).encode(), texts, numbers) == []
    from legemiddel.core.models import AuditEvent

    details = " ".join(AuditEvent.objects.values_list("detail", flat=True))
    assert _leaks(details.encode(), texts, numbers) == []
    # The version snapshot (what was published) has no price either.
    snapshot = str(agreement.versions.order_by("-number").first().snapshot)
    assert _leaks(snapshot.encode(), texts, numbers) == []


def test_with_a_grant_the_same_values_are_found_and_the_view_is_logged(demo, client):
    """The positive control: the search above finds prices where they are allowed."""
    from legemiddel.core.models import AuditEvent

    texts, numbers = _secrets()
    controller = User.objects.get(username="controller")
    services.price_access_grant(
        user=controller,
        reason="Budsjett",
        expires_on=timezone.localdate(),
        actor=User.objects.get(username="innkjop"),
    )
    client.force_login(controller)
    agreement = Agreement.objects.get(title="Anti-VEGF 2025")
    page = client.get(reverse("agreements:prices", args=[agreement.pk]))
    assert page.status_code == 200
    assert _leaks(page.content, texts, numbers)
    for fmt in ("csv", "xlsx"):
        export = client.get(reverse("agreements:prices_export", args=[agreement.pk, fmt]))
        assert export.status_code == 200
        assert _leaks(export.content, texts, numbers), fmt
    assert AuditEvent.objects.filter(user=controller, action="price_view").count() == 3


def test_price_access_requests_and_their_e_mails_hold_no_price(demo, client):
    """A request, its grant, a decline and the expiry reminder: the pages and every e-mail."""
    texts, numbers = _secrets()
    adviser = User.objects.get(username="innkjop")
    client.force_login(adviser)
    queue = client.get(reverse("agreements:price_requests"))
    assert "Kostnadsbevisst forskrivning" in queue.content.decode()
    assert _leaks(queue.content, texts, numbers) == []
    mail.outbox.clear()
    waiting = PriceAccessRequest.objects.get(status=PriceAccessRequest.Status.OPEN)
    client.post(
        reverse("agreements:price_request_grant", args=[waiting.pk]),
        {"expires_on": (timezone.localdate() + timedelta(days=5)).isoformat()},
    )
    asked = services.price_access_request(
        user=User.objects.get(username="vurdering"), need="Metodevurdering"
    )
    client.post(
        reverse("agreements:price_request_decline", args=[asked.pk]), {"reason": "Ikke behov"}
    )
    sent, failed = services.price_access_reminders_send()
    assert (sent, failed) == (1, 0)
    # Granted, asked (to the advisers), declined, reminded.
    assert len(mail.outbox) >= 4
    for message in mail.outbox:
        parts = [message.subject, message.body] + [c for c, _ in message.alternatives]
        assert _leaks("".join(parts).encode(), texts, numbers) == []
