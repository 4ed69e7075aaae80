"""An agreement's products: importing them from a file and changing one line at a time."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from legemiddel.accounts.models import User
from legemiddel.accounts.roles import Role
from legemiddel.agreements import services
from legemiddel.agreements.models import Agreement, AgreementLine
from legemiddel.core.models import AuditEvent
from legemiddel.lib.tabular import ImportRejected, RowError
from tests.agreements.builders import GOOD_ROWS, counts, csv_bytes, lines_of, no_secret_in

# --- importing products ---------------------------------------------------------------------


def test_it_imports_the_products_and_records_their_prices_as_confidential(agreement, adviser):
    result = services.agreement_import_lines(
        agreement=agreement, data=csv_bytes(*GOOD_ROWS), file_name="tnf.csv", actor=adviser
    )

    assert result.as_text() == "3 produkter i 2 indikasjonsgrupper importert."
    assert lines_of(agreement) == [
        ("Psoriasis", "new", 1, "045678", Decimal("2754.39"), None, None, "ddd", None),
        ("Revmatoid artritt", "all", 1, "012345", Decimal("4321.17"), None, None, "ddd", None),
        ("Revmatoid artritt", "all", 2, "023456", Decimal("3987.65"), None, None, "year", 26),
    ]
    change = agreement.changes.first()
    assert change is not None
    assert change.by == adviser
    assert change.summary == (
        "produkter importert fra tnf.csv: 3 produkter i 2 indikasjonsgrupper importert."
    )
    price_entries = [c for c in change.changes if c["price"]]
    assert price_entries == [
        {
            "field": "lis_price",
            "label": "LIS-pris 012345",
            "old": "",
            "new": "4\u00a0321,17",
            "price": True,
        },
        {
            "field": "lis_price",
            "label": "LIS-pris 023456",
            "old": "",
            "new": "3\u00a0987,65",
            "price": True,
        },
        {
            "field": "lis_price",
            "label": "LIS-pris 045678",
            "old": "",
            "new": "2\u00a0754,39",
            "price": True,
        },
    ]
    public_entries = [c for c in change.changes if not c["price"]]
    assert [c["new"] for c in public_entries] == [
        "Revmatoid artritt · alle pasienter · rang 1 · 012345",
        "Revmatoid artritt · alle pasienter · rang 2 · 023456",
        "Psoriasis · nye pasienter · rang 1 · 045678",
    ]
    assert no_secret_in(json.dumps(public_entries, ensure_ascii=False))
    assert no_secret_in(" ".join(AuditEvent.objects.values_list("detail", flat=True)))


def test_it_records_rank_price_and_removed_lines_when_a_file_replaces_the_products(
    imported, adviser
):
    services.agreement_import_lines(
        agreement=imported,
        data=csv_bytes(
            "Revmatoid artritt;alle;2;012345;4 100,00 kr;;;ddd;",
            "Revmatoid artritt;alle;1;023456;3 987,65 kr;;;år;26",
        ),
        file_name="tnf-2.csv",
        actor=adviser,
    )

    assert lines_of(imported) == [
        ("Revmatoid artritt", "all", 1, "023456", Decimal("3987.65"), None, None, "year", 26),
        ("Revmatoid artritt", "all", 2, "012345", Decimal("4100.00"), None, None, "ddd", None),
    ]
    change = imported.changes.first()
    assert change is not None
    assert change.changes == [
        {
            "field": "rank",
            "label": "rang 012345 i Revmatoid artritt",
            "old": "1",
            "new": "2",
            "price": False,
        },
        {
            "field": "lis_price",
            "label": "LIS-pris 012345",
            "old": "4\u00a0321,17",
            "new": "4\u00a0100,00",
            "price": True,
        },
        {
            "field": "rank",
            "label": "rang 023456 i Revmatoid artritt",
            "old": "2",
            "new": "1",
            "price": False,
        },
        {
            "field": "line",
            "label": "fjernet linje",
            "old": "Psoriasis · nye pasienter · rang 1 · 045678",
            "new": "",
            "price": False,
        },
    ]


def rejected(agreement: Agreement, actor: User, *rows: str) -> list[RowError]:
    """Import ``rows``, expecting a refusal that leaves the register exactly as it was."""
    before, lines = counts(), lines_of(agreement)
    with pytest.raises(ImportRejected) as caught:
        services.agreement_import_lines(
            agreement=agreement, data=csv_bytes(*rows), file_name="feil.csv", actor=actor
        )
    assert counts() == before
    assert lines_of(agreement) == lines
    return caught.value.errors


def test_it_rejects_a_file_with_an_unknown_varenr_and_keeps_the_products(imported, adviser):
    errors = rejected(
        imported,
        adviser,
        "Revmatoid artritt;alle;1;012345;4 000,00;;;ddd;",
        "Revmatoid artritt;alle;2;099999;3 000,00;;;ddd;",
    )

    assert errors == [
        RowError(3, "varenr", "099999", "finnes ikke i legemiddelkatalogen (FEST)"),
    ]


def test_it_rejects_line_dates_outside_the_agreement_period(imported, adviser):
    errors = rejected(
        imported,
        adviser,
        "Revmatoid artritt;alle;1;012345;;28.02.2026;31.05.2026;ddd;",
        "Revmatoid artritt;alle;1;023456;;01.06.2026;01.03.2028;ddd;",
    )

    period = "ligger utenfor avtaleperioden 01.03.2026–29.02.2028"
    assert errors == [
        RowError(2, "gyldig fra", "28.02.2026", period),
        RowError(3, "gyldig til", "01.03.2028", period),
    ]


def test_it_accepts_line_dates_inside_an_extension(agreement, adviser):
    services.agreement_update(agreement=agreement, actor=adviser, extended_to=dt.date(2028, 8, 31))

    services.agreement_import_lines(
        agreement=agreement,
        data=csv_bytes("Revmatoid artritt;alle;1;012345;;01.03.2028;31.08.2028;ddd;"),
        file_name="forlenget.csv",
        actor=adviser,
    )

    assert [line[5:7] for line in lines_of(agreement)] == [
        (dt.date(2028, 3, 1), dt.date(2028, 8, 31))
    ]


def test_it_rejects_a_gap_in_the_ranks(imported, adviser):
    errors = rejected(
        imported,
        adviser,
        "Revmatoid artritt;alle;1;012345;;;;ddd;",
        "Revmatoid artritt;alle;3;023456;;;;ddd;",
    )

    assert errors == [
        RowError(
            2,
            "rang",
            "1, 3",
            "«Revmatoid artritt» mangler rang 2 fra 01.03.2026; rangene må gå 1, 2, 3 … uten hull",
        )
    ]


def test_it_reports_every_problem_of_a_file_at_once_in_row_order(imported, adviser):
    errors = rejected(
        imported,
        adviser,
        "Revmatoid artritt;alle;1;099999;;;;ddd;",
        "Revmatoid artritt;alle;0;012345;;;;ddd;",
        "Psoriasis;alle;1;023456;;01.01.2026;;ddd;",
    )

    assert [(e.row, e.column) for e in errors] == [(2, "varenr"), (3, "rang"), (4, "gyldig fra")]


def test_it_rejects_a_file_without_products(imported, adviser):
    assert rejected(imported, adviser) == [RowError(0, "", "", "Filen har ingen produktlinjer.")]


def test_it_rejects_a_file_without_the_required_columns(imported, adviser):
    before = lines_of(imported)

    with pytest.raises(ImportRejected) as caught:
        services.agreement_import_lines(
            agreement=imported, data=b"produkt;pris\nHumira;100\n", file_name="x.csv", actor=adviser
        )

    assert [e.row for e in caught.value.errors] == [0]
    assert caught.value.errors[0].message.startswith("Mangler kolonne(r): indikasjonsgruppe")
    assert lines_of(imported) == before


# --- one line at a time ---------------------------------------------------------------------


def test_it_keeps_the_stored_price_when_the_editor_cannot_see_prices(imported, users):
    line = imported.lines.get(package_id="045678")
    line.rank = 1
    line.dosing = "50 mg hver uke"

    services.line_save(
        line=line, actor=users[Role.CORE_GROUP], price_visible=False, lis_price=Decimal("1.00")
    )

    line.refresh_from_db()
    assert line.lis_price == Decimal("2754.39")
    assert line.dosing == "50 mg hver uke"
    change = imported.changes.first()
    assert change is not None
    assert change.summary == "endret linje Psoriasis rang 1 (045678)"
    assert change.changes == [
        {"field": "dosing", "label": "dosering", "old": "", "new": "50 mg hver uke", "price": False}
    ]


def test_it_changes_the_price_and_records_it_as_confidential_for_an_editor_who_sees_prices(
    imported, adviser
):
    line = imported.lines.get(package_id="045678")

    services.line_save(line=line, actor=adviser, price_visible=True, lis_price=Decimal("2600.50"))

    line.refresh_from_db()
    assert line.lis_price == Decimal("2600.50")
    change = imported.changes.first()
    assert change is not None
    assert change.changes == [
        {
            "field": "lis_price",
            "label": "LIS-pris 045678",
            "old": "2\u00a0754,39",
            "new": "2\u00a0600,50",
            "price": True,
        }
    ]


def test_it_records_nothing_when_a_line_is_saved_unchanged(imported, adviser):
    before = counts()
    line = imported.lines.get(package_id="045678")

    services.line_save(line=line, actor=adviser, price_visible=True, lis_price=line.lis_price)

    assert counts() == before


def test_it_adds_a_line_without_a_price_for_an_editor_who_cannot_see_prices(agreement, users):
    line = AgreementLine(
        agreement=agreement, package_id="034567", indication_group="Revmatoid artritt", rank=1
    )

    services.line_save(
        line=line, actor=users[Role.CORE_GROUP], price_visible=False, lis_price=Decimal("99.00")
    )

    assert lines_of(agreement) == [
        ("Revmatoid artritt", "all", 1, "034567", None, None, None, "ddd", None)
    ]
    change = agreement.changes.first()
    assert change is not None
    assert (change.summary, change.changes) == ("ny linje Revmatoid artritt rang 1 (034567)", [])


def test_it_refuses_a_line_outside_the_period_and_writes_nothing(agreement, adviser):
    before = counts()
    line = AgreementLine(
        agreement=agreement,
        package_id="034567",
        indication_group="Revmatoid artritt",
        rank=1,
        valid_from=dt.date(2026, 1, 1),
    )

    with pytest.raises(ValidationError) as caught:
        services.line_save(line=line, actor=adviser, price_visible=True, lis_price=None)

    assert caught.value.message_dict == {
        "valid_from": ["ligger utenfor avtaleperioden 01.03.2026–29.02.2028"]
    }
    assert counts() == before
