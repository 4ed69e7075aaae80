"""Measures: definitions validated on load, arithmetic pinned on a hand-made dataset, and the
dashboard pages with their scope and price rules."""

from __future__ import annotations

import datetime as dt
import io
import textwrap
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from legemiddel.accounts.roles import Role
from legemiddel.agreements.models import Agreement, AgreementLine, TherapeuticArea
from legemiddel.analytics.definitions import DefinitionError, load_definitions, parse_definition
from legemiddel.analytics.engine import measures, measures_refresh
from legemiddel.analytics.models import MeasureValue
from legemiddel.analytics.selectors import Dashboard, _percentile
from legemiddel.catalogue.models import Package
from legemiddel.usage.models import MonthlyUsage

JAN, FEB, MAR = dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1)
GOOD = {
    "id": "andel",
    "title": "Andel",
    "why": "Fordi",
    "how": "Slik",
    "kind": "share",
    "basis": "ddd",
    "numerator": {"rank": [1]},
    "denominator": {"rank": "all"},
    "sources": ["sls"],
    "lower_is_better": False,
    "target": 0.8,
    "author": "A",
    "reviewer": "R",
    "review_date": dt.date(2026, 1, 1),
    "status": "reviewed",
    "for_each_area": True,
}


def test_the_products_definitions_load_and_are_reviewed():
    found = load_definitions()
    assert {d.id for d in found} >= {"forstevalg-ddd", "kostnad"}
    assert all(d.reviewer and d.review_date for d in found)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": "gjennomsnitt"}, "kind må være share, total eller ratio"),
        ({"kind": "ratio"}, "kind ratio hører sammen med counts"),
        ({"basis": "liter"}, "basis må være"),
        ({"sources": ["dips"]}, "DDD og kroner finnes bare i sls og hresept"),
        ({"numerator": {"rank": [0]}}, "numerator.rank"),
        ({"numerator": {"colour": "red"}}, "ukjent nøkkel colour"),
        ({"denominator": None}, "trenger denominator"),
        ({"target": 2}, "target"),
        ({"review_date": "snart"}, "review_date"),
        ({"status": "ok"}, "status må være"),
        ({"for_each_area": False}, "rang forutsetter for_each_area"),
        ({"numerator": {"varenr": ["12x"]}}, "varenummer har seks sifre"),
        ({"why": ""}, "mangler why"),
        ({"basis": "packs"}, "basis packs krever varenr"),
    ],
)
def test_it_refuses_a_bad_definition_naming_file_and_field(change, message):
    raw = {**GOOD, **change}
    if raw.get("denominator") is None:
        raw.pop("denominator")
    with pytest.raises(DefinitionError, match=message):
        parse_definition(raw, "andel.yaml")


def test_the_file_name_must_be_the_id(tmp_path: Path):
    with pytest.raises(DefinitionError, match="filnavnet"):
        parse_definition(GOOD, "annet.yaml")
    (tmp_path / "andel.yaml").write_text("id: [ikke lukket", encoding="utf-8")
    with pytest.raises(DefinitionError, match="ikke gyldig YAML"):
        load_definitions(tmp_path)


def test_a_total_has_no_denominator():
    raw = {**GOOD, "kind": "total"}
    with pytest.raises(DefinitionError, match="bare en andel"):
        parse_definition(raw, "andel.yaml")


@pytest.fixture
def dataset(org):
    """Area X: package A first choice in January, B first choice from February (a mid-period
    change); C is not in the agreement. Usage written straight into the cube."""
    for varenr in ("000001", "000002", "000003"):
        Package.objects.create(
            varenr=varenr, fest_id=f"ID{varenr}", name_form_strength=f"P{varenr}", content_hash=""
        )
    area = TherapeuticArea.objects.create(code="X", name="Område X")
    agreement = Agreement.objects.create(
        area=area,
        title="X 2026",
        region="Vest",
        start=JAN,
        end=dt.date(2026, 12, 31),
        status=Agreement.Status.PUBLISHED,
        version=1,
    )
    for varenr, rank, start, end in (
        ("000001", 1, None, dt.date(2026, 1, 31)),
        ("000002", 2, None, dt.date(2026, 1, 31)),
        ("000002", 1, FEB, None),
        ("000001", 2, FEB, None),
    ):
        AgreementLine.objects.create(
            agreement=agreement,
            package_id=varenr,
            indication_group="G",
            rank=rank,
            valid_from=start,
            valid_to=end,
        )
    pol, dag = org["MED-REV-POL"].id, org["MED-REV-DAG"].id
    rows = [
        # month, source, unit, varenr, ddd, amount
        (JAN, "sls", pol, "000001", 30, 300),
        (JAN, "sls", pol, "000002", 10, 200),
        (JAN, "hresept", dag, "000001", 20, 200),
        (JAN, "hresept", dag, "000002", 40, 800),
        (JAN, "sls", dag, "000003", 500, 5000),  # not in the agreement
        (JAN, "dips", dag, "000002", 999, 0),  # administrations: not a source of this measure
        (FEB, "sls", pol, "000001", 30, 300),
        (FEB, "sls", pol, "000002", 10, 200),
        (FEB, "sls", None, "000002", 60, 1200),  # not yet mapped to a unit
    ]
    MonthlyUsage.objects.bulk_create(
        MonthlyUsage(
            month=m, source=s, org_unit_id=u, package_id=v, ddd=d, amount=a, quantity=1, rows=1
        )
        for m, s, u, v, d, a in rows
    )
    return area


def _share(dashboard: Dashboard, unit_id, month):
    point = next(p for p in dashboard.points(unit_id) if p.month == month)
    return point.numerator, point.denominator, point.value


def test_share_on_first_choice_follows_the_ranking_of_each_month(dataset, org, users):
    refresh = measures_refresh()
    assert refresh.latest_month == FEB
    measure = next(m for m in measures() if m.key == "forstevalg-ddd--X")
    board = Dashboard(measure, users[Role.CORE_GROUP], None)
    pol, dag, rev = org["MED-REV-POL"].id, org["MED-REV-DAG"].id, org["MED-REV"].id
    # January, A first choice: POL 30 of 40, DAG 20 of 60, department 50 of 100.
    assert _share(board, pol, JAN) == (30, 40, 0.75)
    assert _share(board, dag, JAN) == (20, 60, 20 / 60)
    assert _share(board, rev, JAN) == (50, 100, 0.5)
    # February, B first choice: POL 10 of 40; the trust adds the unmapped 60 of 60.
    assert _share(board, pol, FEB) == (10, 40, 0.25)
    assert _share(board, None, FEB) == (70, 100, 0.7)
    # No agreement in force in March: no value at all.
    assert MAR not in board.months


def test_cost_per_month_sums_amounts_of_ranked_packages_only(dataset, org, users):
    measures_refresh()
    values = MeasureValue.objects.filter(measure="kostnad--X", month=JAN)
    assert sum(v.numerator for v in values) == 300 + 200 + 200 + 800
    assert all(v.denominator == 0 for v in values)


def test_percentiles_interpolate_between_ranks():
    assert _percentile([0.0, 1.0], 0.5) == 0.5
    assert _percentile([0.1, 0.2, 0.3, 0.4, 0.5], 0.1) == pytest.approx(0.14)
    assert _percentile([0.1, 0.2, 0.3, 0.4, 0.5], 0.9) == pytest.approx(0.46)


def test_the_measure_page_shows_definition_chart_drill_down_and_latest_month(
    dataset, org, client_for
):
    measures_refresh()
    client = client_for(Role.CORE_GROUP)
    page = client.get(reverse("analytics:measure", args=["forstevalg-ddd--X"]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in text
    assert "LIS-anbudet gir lavest pris" in text  # the definition's why
    assert "02.2026" in text  # latest data month stated
    assert "Medisinsk klinikk" in text
    drill = client.get(
        reverse("analytics:measure", args=["forstevalg-ddd--X"]), {"enhet": org["MED-REV"].id}
    )
    assert "Revmatologisk poliklinikk" in drill.content.decode()
    assert "25,0\u00a0%" in drill.content.decode()  # POL in the latest month


def test_unit_leaders_see_only_their_units(dataset, org, client_for):
    measures_refresh()
    client = client_for(Role.UNIT_LEADER)  # leads MED-REV
    url = reverse("analytics:measure", args=["forstevalg-ddd--X"])
    start = client.get(url).content.decode()
    assert "Revmatologisk avdeling" in start
    assert "Nevroklinikken" not in start
    assert client.get(url, {"enhet": org["MED-REV-POL"].id}).status_code == 200
    assert client.get(url, {"enhet": org["NEVRO-MS"].id}).status_code == 404
    assert client.get(url, {"enhet": org["MED"].id}).status_code == 404


def test_amounts_need_price_access_and_prescribers_see_no_dashboards(dataset, client_for, users):
    from legemiddel.agreements.services import price_access_grant

    measures_refresh()
    core = client_for(Role.CORE_GROUP)
    assert core.get(reverse("analytics:measure", args=["kostnad--X"])).status_code == 403
    assert "kostnad--X" not in core.get(reverse("analytics:index")).content.decode()
    price_access_grant(
        user=users[Role.CORE_GROUP],
        reason="Oppfølging",
        expires_on=timezone.localdate(),
        actor=users[Role.PROCUREMENT_ADVISER],
    )
    assert core.get(reverse("analytics:measure", args=["kostnad--X"])).status_code == 200
    prescriber = client_for(Role.PRESCRIBER)
    assert prescriber.get(reverse("analytics:index")).status_code == 403


def test_downloads_hold_the_same_figures(dataset, org, client_for):
    from python_calamine import CalamineWorkbook

    measures_refresh()
    client = client_for(Role.CORE_GROUP)
    url = reverse("analytics:measure_table", args=["forstevalg-ddd--X", "xlsx"])
    response = client.get(url, {"enhet": org["MED-REV"].id})
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0)
    data = rows.to_python()
    assert data[0] == ["Sted", "Måned", "Teller", "Nevner", "Andel"]
    assert ["Revmatologisk poliklinikk", dt.date(2026, 1, 1), 30.0, 40.0, 0.75] in [
        [r[0], r[1].date() if hasattr(r[1], "date") else r[1], *r[2:]] for r in data
    ]
    svg = client.get(reverse("analytics:measure_chart", args=["forstevalg-ddd--X", "svg"]))
    assert svg["Content-Type"] == "image/svg+xml"
    assert svg.content.startswith(b"<svg")
    png = client.get(reverse("analytics:measure_chart", args=["forstevalg-ddd--X", "png"]))
    assert png["Content-Type"] == "image/png"
    assert png.content.startswith(b"\x89PNG")
    assert (
        client.get(
            reverse("analytics:measure_chart", args=["forstevalg-ddd--X", "gif"])
        ).status_code
        == 404
    )


def test_the_measure_pages_use_a_fixed_number_of_queries(
    dataset, client_for, django_assert_max_num_queries
):
    measures_refresh()
    client = client_for(Role.CORE_GROUP)
    with django_assert_max_num_queries(25):
        client.get(reverse("analytics:measure", args=["forstevalg-ddd--X"]))
    with django_assert_max_num_queries(25):
        client.get(reverse("analytics:index"))


def test_definitions_read_from_a_directory(tmp_path: Path):
    body = textwrap.dedent(
        """
        id: andel
        title: Andel
        why: Fordi
        how: Slik
        kind: share
        basis: ddd
        numerator: {atc: [L04AB]}
        denominator: {atc: [L04]}
        sources: [sls]
        lower_is_better: false
        author: A
        reviewer: R
        review_date: 2026-01-01
        status: draft
        """
    )
    (tmp_path / "andel.yaml").write_text(body, encoding="utf-8")
    (definition,) = load_definitions(tmp_path)
    assert definition.numerator.atc == ("L04AB",)
    assert definition.for_each_area is False


def _d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _dispense(org, rows):
    from legemiddel.usage.models import Dispensing, ImportBatch

    batch = ImportBatch.objects.create(
        source="hresept", file_name="f", sha256="x", period_start=JAN, period_end=FEB
    )
    Dispensing.objects.bulk_create(
        Dispensing(
            batch=batch,
            dispensed_on=_d(day),
            month=_d(day).replace(day=1),
            patient=patient,
            package_id=varenr,
            quantity=1,
            amount=1,
            prescriber_hpr=hpr,
            org_unit_id=org[unit].id,
        )
        for patient, day, varenr, unit, hpr in rows
    )


def test_treatment_starts_are_first_events_after_a_gap_longer_than_the_window(dataset, org):
    from legemiddel.analytics.kinds.starts import start_counts
    from legemiddel.usage.models import Administration, ImportBatch

    pol, dag = "MED-REV-POL", "MED-REV-DAG"
    _dispense(
        org,
        [
            # Data start 2025-01-01; with a 90-day window, starts count from 2025-04-01.
            ("p1", "2025-01-01", "000001", pol, ""),  # first window: history unknown
            ("p1", "2025-03-01", "000001", pol, ""),  # continues
            ("p1", "2025-09-01", "000002", pol, "9100001"),  # 184 days later: a new start
            ("p1", "2025-10-01", "000002", pol, "9100001"),  # continues
            ("p2", "2025-05-10", "000001", dag, "9100002"),  # first ever, after the window
            ("p3", "2025-02-01", "000001", dag, ""),  # first ever, inside the first window
            ("p3", "2025-05-02", "000001", dag, ""),  # exactly 90 days later: continues
            ("p5", "2025-06-01", "000003", dag, ""),  # a package outside the selection
        ],
    )
    # An administration of the same patient (same pseudonym) continues a dispensing course.
    batch = ImportBatch.objects.create(
        source="dips", file_name="d", sha256="y", period_start=JAN, period_end=FEB
    )
    Administration.objects.create(
        batch=batch,
        administered_on=_d("2025-07-20"),
        month=_d("2025-07-01"),
        patient="p2",
        unit_code="X",
        org_unit=org[dag],
        package_id="000001",
        episode="e",
    )
    found = start_counts({"000001", "000002"}, ["hresept", "dips"], 90)
    assert sorted(found) == sorted(
        [
            (_d("2025-09-01"), org[pol].id, "9100001", "000002", 1),
            (_d("2025-05-01"), org[dag].id, "9100002", "000001", 1),
        ]
    )
    assert start_counts(set(), ["hresept"], 90) == []
    # Without administrations the same two starts remain.
    assert len(start_counts({"000001", "000002"}, ["hresept"], 90)) == 2


def test_share_of_starts_counts_starts_on_that_months_first_choice_per_prescriber(
    dataset, org, users
):
    pol = "MED-REV-POL"
    _dispense(
        org,
        [
            # 2025: history, so 2026 events after a long gap are starts.
            ("p1", "2025-01-05", "000001", pol, "9100001"),
            ("p1", "2026-01-10", "000001", pol, "9100001"),  # start on A, first choice in Jan
            ("p2", "2026-01-12", "000002", pol, "9100001"),  # start on B, rank 2 in January
            ("p3", "2026-02-03", "000002", pol, "9100002"),  # start on B, first choice in Feb
            ("p3", "2026-02-20", "000002", pol, "9100002"),  # continues: not a start
        ],
    )
    measures_refresh()
    values = {
        (v.month, v.prescriber): (v.numerator, v.denominator)
        for v in MeasureValue.objects.filter(measure="oppstart-forstevalg--X")
    }
    assert values == {(JAN, "9100001"): (1, 2), (FEB, "9100002"): (1, 1)}


def test_a_unit_leader_drills_to_prescribers_of_own_units_only(dataset, org, client_for):
    from legemiddel.analytics.models import MeasureValue as Value

    Value.objects.all().delete()
    Value.objects.bulk_create(
        [
            Value(
                measure="oppstart-forstevalg--X",
                month=JAN,
                org_unit_id=org["MED-REV-POL"].id,
                prescriber="9100001",
                numerator=1,
                denominator=2,
            ),
            Value(
                measure="oppstart-forstevalg--X",
                month=JAN,
                org_unit_id=org["NEVRO-MS"].id,
                prescriber="9100002",
                numerator=1,
                denominator=1,
            ),
        ]
    )
    client = client_for(Role.UNIT_LEADER)  # leads MED-REV
    url = reverse("analytics:measure", args=["oppstart-forstevalg--X"])
    page = client.get(url, {"enhet": org["MED-REV"].id}).content.decode()
    assert "forskriver=9100001" in page
    assert "9100002" not in page
    mine = client.get(url, {"enhet": org["MED-REV"].id, "forskriver": "9100001"})
    assert mine.status_code == 200
    assert "50,0\u00a0%" in mine.content.decode()
    other = client.get(url, {"enhet": org["MED-REV"].id, "forskriver": "9100002"})
    assert other.status_code == 404
    assert client.get(url, {"forskriver": "9100001"}).status_code == 404
    table = reverse("analytics:measure_table", args=["oppstart-forstevalg--X", "csv"])
    export = client.get(table, {"enhet": org["MED-REV"].id}).content.decode()
    assert "(9100001)" in export
    assert "9100002" not in export
    overview = client.get(reverse("analytics:index_table", args=["csv"])).content.decode()
    assert "Andel behandlingsstarter på førstevalg – Område X" in overview
    assert "Kostnad" not in overview  # amounts need price access


@pytest.fixture
def priced(dataset, org):
    """The same dataset with LIS prices: A 100 kr and B 50 kr per pack of 10 DDD, one
    substance; and December 2025, before the agreement, at 40 kr per DDD."""
    from legemiddel.catalogue.models import AtcCode

    atc = AtcCode.objects.create(code="L04AB04", level=5)
    Package.objects.filter(varenr__in=["000001", "000002"]).update(atc=atc, ddd_per_pack=10)
    AgreementLine.objects.filter(package_id="000001").update(lis_price=100)
    AgreementLine.objects.filter(package_id="000002").update(lis_price=50)
    MonthlyUsage.objects.create(
        month=dt.date(2025, 12, 1),
        source="sls",
        org_unit_id=org["MED-REV-POL"].id,
        package_id="000001",
        ddd=10,
        amount=400,
        quantity=1,
        rows=1,
    )
    return dataset


def _by_unit(key, month):
    return {
        v.org_unit_id: round(v.numerator, 6)
        for v in MeasureValue.objects.filter(measure=key, month=month)
    }


def test_savings_potential_prices_other_brands_at_the_first_choice_cost_per_ddd(priced, org):
    measures_refresh()
    pol, dag = org["MED-REV-POL"].id, org["MED-REV-DAG"].id
    # January, A first choice at 10 kr/DDD: B at POL 200 - 10 x 10, B at DAG 800 - 40 x 10.
    assert _by_unit("gevinst-potensial--X", JAN) == {pol: 100, dag: 400}
    # February, B first choice at 5 kr/DDD: A at POL 300 - 30 x 5; B itself counts nothing.
    assert _by_unit("gevinst-potensial--X", FEB) == {pol: 150}


def test_savings_realised_compare_with_the_cost_per_ddd_before_the_agreement(priced, org):
    measures_refresh()
    pol, dag = org["MED-REV-POL"].id, org["MED-REV-DAG"].id
    # Baseline: 40 kr/DDD in the three months before 1.1.2026 (December's 400 kr for 10 DDD).
    # January: POL 30 x 40 - 300 + 10 x 40 - 200; DAG 20 x 40 - 200 + 40 x 40 - 800.
    assert _by_unit("gevinst-realisert--X", JAN) == {pol: 1100, dag: 1400}
    # February: POL as before; the unmapped line 60 x 40 - 1200.
    assert _by_unit("gevinst-realisert--X", FEB) == {pol: 1100, None: 1200}


def test_savings_pages_need_price_access(priced, client_for):
    measures_refresh()
    client = client_for(Role.UNIT_LEADER)
    for key in ("gevinst-potensial--X", "gevinst-realisert--X"):
        assert client.get(reverse("analytics:measure", args=[key])).status_code == 403
        table = reverse("analytics:measure_table", args=[key, "csv"])
        assert client.get(table).status_code == 403
    assert "gevinst" not in client.get(reverse("analytics:index")).content.decode()


def test_the_monthly_email_lists_units_below_target_once_per_month(dataset, org, users):
    from django.core import mail

    from legemiddel.analytics.alerts import alerts_send
    from legemiddel.analytics.models import AlertDelivery, AlertPreference

    measures_refresh()
    leader = users[Role.UNIT_LEADER]  # leads MED-REV
    leader.email = "leder@example.org"
    leader.save()
    mail.outbox.clear()
    assert alerts_send() == (1, 0)
    (message,) = mail.outbox
    assert message.to == ["leder@example.org"]
    # February at MED-REV: 10 of 40 DDD on first choice, target 80 %.
    assert "Revmatologisk avdeling: Andel DDD på førstevalg – Område X: 25,0" in message.body
    assert "gevinst" not in message.body.lower()  # no price access
    assert " kr" not in message.body
    assert "/analyse/" in message.body
    # Running the schedule again in the same month sends nothing more.
    assert alerts_send() == (0, 0)
    assert AlertDelivery.objects.get(user=leader).mail.status == "sent"
    # Opted out: nothing next month either.
    AlertPreference.objects.create(user=leader, opted_out=True)
    AlertDelivery.objects.all().delete()
    assert alerts_send() == (0, 0)


def test_leaders_with_price_access_also_get_the_savings_potential(priced, org, users):
    from django.core import mail

    from legemiddel.agreements.services import price_access_grant
    from legemiddel.analytics.alerts import alerts_send

    measures_refresh()
    leader = users[Role.UNIT_LEADER]
    leader.email = "leder@example.org"
    leader.save()
    price_access_grant(
        user=leader,
        reason="Oppfølging",
        expires_on=timezone.localdate(),
        actor=users[Role.PROCUREMENT_ADVISER],
    )
    mail.outbox.clear()
    alerts_send()
    body = mail.outbox[0].body
    # Potential in the last 12 months at MED-REV: 100 + 400 (January) + 150 (February).
    assert "Revmatologisk avdeling: Område X: 650\u00a0kr" in body
    # A core group member without price access previewing this leader's e-mail sees no amount.
    from django.test import Client

    core = Client()
    core.force_login(users[Role.CORE_GROUP])
    preview = core.get(reverse("analytics:alert"), {"bruker": "unit_leader"}).content.decode()
    assert "Under mål:" in preview
    assert "650" not in preview
    assert " kr" not in preview


def test_the_preview_page_shows_the_email_and_lets_the_leader_opt_out(dataset, client_for):
    from legemiddel.analytics.models import AlertPreference

    measures_refresh()
    client = client_for(Role.UNIT_LEADER)
    page = client.get(reverse("analytics:alert")).content.decode()
    assert "Under mål:" in page
    client.post(reverse("analytics:alert"), {"opted_out": "1"})
    assert AlertPreference.objects.get().opted_out
    core = client_for(Role.CORE_GROUP)
    assert (
        "Under mål:"
        in core.get(reverse("analytics:alert"), {"bruker": "unit_leader"}).content.decode()
    )
    assert client_for(Role.PRESCRIBER).get(reverse("analytics:alert")).status_code == 403


def test_switching_counts_the_cohort_on_the_old_product_month_by_month(priced, org):
    from legemiddel.analytics.kinds.switches import first_choice_changes

    (change,) = first_choice_changes(TherapeuticArea.objects.get(code="X"))
    assert (change.day, change.atc, change.first, change.others) == (
        FEB,
        "L04AB04",
        frozenset({"000002"}),
        frozenset({"000001"}),
    )
    pol = "MED-REV-POL"
    _dispense(
        org,
        [
            ("p1", "2026-01-10", "000001", pol, "9100001"),  # on A before: in the cohort
            ("p1", "2026-02-05", "000001", pol, "9100001"),
            ("p1", "2026-02-20", "000002", pol, "9100001"),  # last in February: B, switched
            ("p2", "2026-01-15", "000001", pol, "9100002"),  # in the cohort
            ("p2", "2026-02-10", "000001", pol, "9100002"),  # still A in February
            ("p2", "2026-03-03", "000002", pol, "9100002"),  # switched in March
            ("p3", "2026-01-20", "000002", pol, "9100002"),  # already on B: not in the cohort
            ("p3", "2026-02-20", "000002", pol, "9100002"),
            ("p4", "2025-10-01", "000001", pol, "9100002"),  # outside the 90-day window
            ("p4", "2026-02-01", "000001", pol, "9100002"),
        ],
    )
    measures_refresh()
    values = {
        (v.month, v.prescriber): (v.numerator, v.denominator)
        for v in MeasureValue.objects.filter(measure="bytte-etter-anbud--X")
    }
    assert values == {
        (FEB, "9100001"): (1, 1),
        (FEB, "9100002"): (0, 1),
        (MAR, "9100002"): (1, 1),
    }


def test_cost_per_patient_year_divides_amounts_by_patients_treated_over_twelve(priced, org):
    pol = "MED-REV-POL"
    _dispense(
        org,
        [
            ("p1", "2026-01-10", "000001", pol, ""),
            ("p1", "2026-01-25", "000002", pol, ""),  # the same patient twice: one patient
            ("p2", "2026-01-12", "000002", pol, ""),
            ("p3", "2026-01-12", "000003", pol, ""),  # not in the agreement
        ],
    )
    measures_refresh()
    value = MeasureValue.objects.get(
        measure="kostnad-per-pasientaar--X", month=JAN, org_unit=org[pol]
    )
    # January at POL: 300 + 200 kr for 2 patients = 2/12 patient-years: 3 000 kr per year.
    assert (value.numerator, round(value.denominator, 6)) == (500, round(2 / 12, 6))


def test_cost_drivers_show_volumes_to_all_and_amounts_only_with_price_access(
    dataset, client_for, users
):
    from legemiddel.agreements.services import price_access_grant

    measures_refresh()
    client = client_for(Role.CONTROLLER)  # follows MED
    page = client.get(reverse("analytics:drivers")).content.decode()
    assert "P000003" in page  # 500 DDD at MED-REV-DAG, the biggest
    assert " kr" not in page
    export = client.get(reverse("analytics:drivers_table", args=["csv"])).content.decode()
    assert "Kroner" not in export
    price_access_grant(
        user=users[Role.CONTROLLER],
        reason="Budsjett",
        expires_on=timezone.localdate(),
        actor=users[Role.PROCUREMENT_ADVISER],
    )
    page = client_for(Role.CONTROLLER).get(reverse("analytics:drivers")).content.decode()
    assert "5\u00a0000\u00a0kr" in page
    # An advisory pharmacist without units follows none of MED's packages.
    pharmacist = client_for(Role.ADVISORY_PHARMACIST).get(reverse("analytics:drivers"))
    assert pharmacist.status_code == 200
    assert "P000003" not in pharmacist.content.decode()


def test_an_import_recomputes_only_the_measures_that_read_its_source(dataset, org):
    measures_refresh()
    starts = MeasureValue.objects.create(
        measure="oppstart-forstevalg--X", month=JAN, org_unit=org["MED-REV-POL"], numerator=7
    )
    MonthlyUsage.objects.filter(source="sls", month=JAN, package_id="000001").update(ddd=90)
    measures_refresh(sources={"sls"})
    pol = MeasureValue.objects.get(
        measure="forstevalg-ddd--X", month=JAN, org_unit=org["MED-REV-POL"]
    )
    assert (pol.numerator, pol.denominator) == (90, 100)  # recomputed from the cube
    assert MeasureValue.objects.filter(pk=starts.pk).exists()  # H-prescription measure kept
    measures_refresh()
    assert not MeasureValue.objects.filter(pk=starts.pk).exists()


def test_an_sls_import_keeps_the_patient_years_and_recomputes_the_amounts(priced, org):
    from legemiddel.usage.models import Dispensing

    _dispense(org, [("p1", "2026-01-10", "000001", "MED-REV-POL", "")])
    measures_refresh()
    key, pol = "kostnad-per-pasientaar--X", org["MED-REV-POL"]
    assert MeasureValue.objects.get(measure=key, month=JAN, org_unit=pol).denominator == 1 / 12
    MonthlyUsage.objects.filter(source="sls", month=JAN, org_unit=pol).update(amount=1000)
    Dispensing.objects.all().delete()  # not read again: an SLS import brings no patients
    measures_refresh(sources={"sls"})
    value = MeasureValue.objects.get(measure=key, month=JAN, org_unit=pol)
    assert (value.numerator, value.denominator) == (2000, 1 / 12)
    measures_refresh(sources={"hresept"})
    assert not MeasureValue.objects.filter(measure=key, month=JAN, org_unit=pol, denominator__gt=0)
