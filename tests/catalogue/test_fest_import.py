"""Loading a FEST file into the catalogue (docs/formats/fest.md): what a load creates, and what
later files add, change and retire. Nothing is ever deleted and prices are kept as history."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

import pytest
from django.utils import timezone

from legemiddel.catalogue import fest
from legemiddel.catalogue.models import (
    AtcCode,
    Brand,
    ExchangeGroup,
    FestLoad,
    Package,
    Price,
    RefundGroup,
    Substance,
)
from legemiddel.demo import festgen
from legemiddel.demo.festgen import PriceSpec
from legemiddel.lib.tabular import ImportRejected
from tests.catalogue.festfiles import (
    ADALIMUMAB,
    ATC_NAMES,
    BLUE_GROUP,
    EARLIER,
    EXCHANGE_GROUP,
    FILLERS,
    H_GROUP,
    HUMIRA,
    HUMIRA_BRAND,
    LATER,
    LATEST,
    METFORMIN,
    METFORMIN_BRAND,
    METFORMIN_SUBSTANCE,
    NEW_FROM,
    OLD_FROM,
    OLD_TO,
    RETRIEVED,
    catalogue,
    load,
    package_spec,
    prices_of,
    snapshot,
    write,
    write_text,
    xml_text,
)

pytestmark = pytest.mark.django_db

ALL_VARENR = {HUMIRA, METFORMIN, *FILLERS}


def aware(value):
    return timezone.make_aware(value)


def changes(counts) -> dict[str, int]:
    """The counts that say something was written: created, updated or retired."""
    return {
        k: v for k, v in counts.items() if k.endswith(("_created", "_updated", "_retired")) and v
    }


@pytest.fixture
def first(tmp_path):
    """The small catalogue (festfiles.catalogue), retrieved RETRIEVED, loaded once."""
    return load(write(catalogue(), tmp_path / "fest-first.xml"))


def without_load_rows(state):
    """A snapshot minus what every load adds: its FestLoad row and its audit event."""
    state = dict(state)
    state["counts"] = {k: v for k, v in state["counts"].items() if k != "FestLoad"}
    del state["loads"], state["audit_events"]
    return state


# --- A first load -----------------------------------------------------------------------------


def test_it_creates_every_package_keyed_by_varenr_with_leading_zeros_kept(first):
    assert set(Package.objects.values_list("varenr", flat=True)) == ALL_VARENR
    humira = Package.objects.get(varenr="012345")
    assert humira.varenr == "012345"
    assert (humira.name_form_strength, humira.ean) == ("Humira inj 40 mg 2 stk", "7041800123455")
    assert (humira.atc_id, humira.brand_id) == ("L04AB04", HUMIRA_BRAND)
    assert (humira.pack_size, humira.pack_unit) == (Decimal("2"), "stk")
    assert (humira.ddd, humira.ddd_unit, humira.ddd_per_pack) == (
        Decimal("2.9"),
        "mg",
        Decimal("27.5862"),
    )
    assert (humira.active, humira.retired_at) == (True, None)
    # Tidspunkt is when the entry last changed in FEST, not when the file was made.
    assert humira.fest_timestamp == aware(catalogue().entries_changed_at)
    assert first.counts["packages_created"] == len(ALL_VARENR)


def test_it_creates_brands_and_substances_and_links_each_brand_to_its_substances(first):
    humira = Brand.objects.get(fest_id=HUMIRA_BRAND)
    assert (humira.trade_name, humira.name_form_strength, humira.manufacturer) == (
        "Humira",
        "Humira inj 40 mg",
        "AbbVie",
    )
    assert humira.atc_id == "L04AB04"
    assert list(humira.substances.values_list("fest_id", flat=True)) == [ADALIMUMAB]
    metformin = Brand.objects.get(fest_id=METFORMIN_BRAND)
    assert list(metformin.substances.values_list("name", flat=True)) == ["Metforminhydroklorid"]
    substance = Substance.objects.get(fest_id=METFORMIN_SUBSTANCE)
    assert (substance.name, substance.name_en, substance.active) == (
        "Metforminhydroklorid",
        "Metformin hydrochloride",
        True,
    )
    assert Substance.objects.count() == 2


def test_it_stores_every_price_period_per_type_with_its_validity(first):
    assert prices_of(HUMIRA) == [
        ("AIP", Decimal("10150.00"), OLD_FROM, OLD_TO),
        ("AIP", Decimal("9870.25"), NEW_FROM, None),
        ("AUP", Decimal("10654.30"), OLD_FROM, OLD_TO),
        ("AUP", Decimal("10366.80"), NEW_FROM, None),
    ]
    aip = Price.objects.get(package_id=HUMIRA, type="AIP", valid_from=NEW_FROM)
    assert (aip.type_code, aip.type_label, aip.currency) == ("3", "AIP", "NOK")
    assert aip.first_load == first.load
    assert Price.objects.count() == 4 * len(ALL_VARENR) == first.counts["prices_created"]


def test_it_creates_atc_codes_with_every_level_above_and_names_from_the_code_list(first):
    adalimumab = AtcCode.objects.get(code="L04AB04")
    chain = []
    node: AtcCode | None = adalimumab
    while node is not None:
        chain.append((node.code, node.level, node.name))
        node = node.parent
    assert chain == [
        ("L04AB04", 5, "Adalimumab"),
        ("L04AB", 4, "Tumornekrosefaktor alfa (TNF-α)-hemmere"),
        ("L04A", 3, "Immunsuppressiver"),
        ("L04", 2, "Immunsuppressiver"),
        ("L", 1, "Antineoplastiske og immunmodulerende midler"),
    ]
    assert dict(AtcCode.objects.values_list("code", "name")) == ATC_NAMES
    assert set(AtcCode.objects.values_list("name_source", flat=True)) == {"fest"}


def test_it_creates_the_atc_levels_above_a_code_even_when_the_file_has_no_names_for_them(
    tmp_path,
):
    cat = catalogue()
    cat.atc_names = {}

    load(write(cat, tmp_path / "fest.xml"))

    assert dict(AtcCode.objects.filter(code__startswith="A").values_list("code", "parent")) == {
        "A": None,
        "A10": "A",
        "A10B": "A10",
        "A10BA": "A10B",
        "A10BA02": "A10BA",
    }
    # Only the substance level is named, from the packages' Atc DN.
    assert dict(AtcCode.objects.exclude(name="").values_list("code", "name")) == {
        "A10BA02": "Metformin",
        "L04AB04": "Adalimumab",
    }


def test_it_marks_h_resept_refund_groups_and_the_packages_in_them(first):
    h_group, blue_group = (
        RefundGroup.objects.get(pk=H_GROUP),
        RefundGroup.objects.get(pk=BLUE_GROUP),
    )
    assert (h_group.basis_code, h_group.is_h_resept) == ("950", True)
    assert (blue_group.basis_code, blue_group.is_h_resept) == ("200", False)
    assert list(blue_group.codes.values_list("code", "system", "term")) == [
        ("E11", "ICD-10", "Diabetes mellitus type 2")
    ]
    assert set(Package.objects.filter(is_h_resept=True).values_list("varenr", flat=True)) == {
        HUMIRA
    }
    assert list(Package.objects.get(pk=HUMIRA).refund_groups.all()) == [h_group]


def test_it_creates_exchange_groups_and_links_packages_to_them(first):
    group = ExchangeGroup.objects.get(pk=EXCHANGE_GROUP)
    assert (group.code, group.description) == ("A10BA02-500", "METFORMIN TAB 500 MG")
    assert set(group.packages.values_list("varenr", flat=True)) == {METFORMIN, *FILLERS}
    assert Package.objects.get(pk=HUMIRA).exchange_group is None


def test_the_load_records_when_fest_made_the_file_its_checksum_and_counts(tmp_path):
    path = write(catalogue(), tmp_path / "fest251.xml")

    result = load(path)

    fest_load = FestLoad.objects.get()
    assert fest_load == result.load
    assert fest_load.retrieved_at == aware(RETRIEVED)
    assert fest_load.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (fest_load.file_name, fest_load.forced) == ("fest251.xml", False)
    assert fest_load.counts["packages_created"] == 6
    assert fest_load.counts["prices_created"] == 24
    assert fest_load.counts["brands_created"] == 2
    assert "6 pakninger lest, 6 nye" in result.as_text()


def test_it_imports_every_package_and_price_of_a_synthetic_catalogue(tmp_path):
    cat = festgen.synthetic_catalogue(packages=30, interactions=5, interaction_text=100)

    result = load(write(cat, tmp_path / "fest.xml"))

    assert set(Package.objects.values_list("varenr", flat=True)) == {p.varenr for p in cat.packages}
    assert Price.objects.count() == sum(len(p.prices) for p in cat.packages)
    assert Brand.objects.count() == len(cat.brands)
    assert Substance.objects.count() == len(cat.substances)
    assert result.counts["packages_created"] == 30


# --- The same file again --------------------------------------------------------------------


def test_importing_the_identical_file_again_changes_nothing_but_adds_a_load(tmp_path):
    path = write(catalogue(), tmp_path / "fest.xml")
    load(path)
    before = snapshot()

    result = load(path)

    after = snapshot()
    assert without_load_rows(after) == without_load_rows(before)
    assert after["counts"]["FestLoad"] == before["counts"]["FestLoad"] + 1
    assert changes(result.counts) == {}
    assert result.load.changed == 0
    assert result.counts["packages_unchanged"] == 6
    assert "0 nye, 0 endret, 0 utgått; 0 nye og 0 endrede priser" in result.as_text()


def test_importing_the_same_catalogue_after_a_retirement_keeps_the_retirement_date(tmp_path):
    cat = catalogue(LATER)
    package_spec(cat, METFORMIN).status = "U"
    load(write(catalogue(), tmp_path / "first.xml"))
    load(write(cat, tmp_path / "retired.xml"))
    before = snapshot()

    result = load(tmp_path / "retired.xml")

    assert without_load_rows(snapshot()) == without_load_rows(before)
    assert changes(result.counts) == {}


# --- Prices are history -----------------------------------------------------------------------


def test_a_new_price_period_is_added_and_the_older_periods_are_kept(first, tmp_path):
    cat = catalogue(LATER)
    # FEST lists only the current periods; the new one starts on 1 April.
    package_spec(cat, HUMIRA).prices = [
        PriceSpec("AIP", Decimal("9870.25"), NEW_FROM, dt.date(2026, 3, 31)),
        PriceSpec("AIP", Decimal("9500.00"), dt.date(2026, 4, 1)),
    ]

    result = load(write(cat, tmp_path / "later.xml"))

    assert prices_of(HUMIRA) == [
        ("AIP", Decimal("10150.00"), OLD_FROM, OLD_TO),
        ("AIP", Decimal("9870.25"), NEW_FROM, dt.date(2026, 3, 31)),
        ("AIP", Decimal("9500.00"), dt.date(2026, 4, 1), None),
        ("AUP", Decimal("10654.30"), OLD_FROM, OLD_TO),
        ("AUP", Decimal("10366.80"), NEW_FROM, None),
    ]
    assert (result.counts["prices_created"], result.counts["prices_updated"]) == (1, 1)
    new = Price.objects.get(package_id=HUMIRA, valid_from=dt.date(2026, 4, 1))
    old = Price.objects.get(package_id=HUMIRA, type="AIP", valid_from=OLD_FROM)
    assert (new.first_load, old.first_load) == (result.load, first.load)


def test_a_corrected_amount_for_the_same_period_updates_that_period(first, tmp_path):
    cat = catalogue(LATER)
    package_spec(cat, HUMIRA).prices[2] = PriceSpec("AIP", Decimal("9871.00"), NEW_FROM)
    count_before = Price.objects.count()

    result = load(write(cat, tmp_path / "later.xml"))

    assert Price.objects.count() == count_before
    corrected = Price.objects.get(package_id=HUMIRA, type="AIP", valid_from=NEW_FROM)
    assert corrected.amount == Decimal("9871.00")
    assert corrected.first_load == first.load
    assert (result.counts["prices_created"], result.counts["prices_updated"]) == (0, 1)


def test_the_price_type_follows_the_label_when_the_code_is_that_of_another_type(tmp_path):
    # The AIP prices carry code 4, which the specification gives to AUP.
    text = xml_text(catalogue())
    aip_type = 'V="3" S="2.16.578.1.12.4.1.1.7453" DN="AIP"'
    assert aip_type in text
    path = write_text(tmp_path / "fest.xml", text.replace(aip_type, aip_type.replace("3", "4", 1)))

    result = load(path)

    aip = Price.objects.get(package_id=HUMIRA, type="AIP", valid_from=NEW_FROM)
    aup = Price.objects.get(package_id=HUMIRA, type="AUP", valid_from=NEW_FROM)
    assert (aip.amount, aip.type_code, aip.type_label) == (Decimal("9870.25"), "4", "AIP")
    assert (aup.amount, aup.type_code, aup.type_label) == (Decimal("10366.80"), "4", "AUP")
    assert Price.objects.filter(type="AIP").count() == 12
    assert result.counts["price_codes_disagreeing_with_label"] == 12


# --- Retiring and reactivating ----------------------------------------------------------------


def test_an_entry_whose_status_is_not_active_is_retired_not_deleted(first, tmp_path):
    cat = catalogue(LATER)
    package_spec(cat, METFORMIN).status = "U"
    before = timezone.now()

    result = load(write(cat, tmp_path / "later.xml"))

    metformin = Package.objects.get(pk=METFORMIN)
    assert metformin.active is False
    assert metformin.retired_at is not None
    assert metformin.retired_at >= before
    assert len(prices_of(METFORMIN)) == 4
    assert Package.objects.count() == 6
    assert Package.objects.filter(active=True).count() == 5
    assert result.counts["packages_retired"] == 1


def test_a_retired_package_keeps_its_retirement_date_while_later_files_still_retire_it(
    first, tmp_path
):
    retiring = catalogue(LATER)
    package_spec(retiring, METFORMIN).status = "U"
    load(write(retiring, tmp_path / "later.xml"))
    retired_at = Package.objects.get(pk=METFORMIN).retired_at
    still_retired = catalogue(LATEST)
    package_spec(still_retired, METFORMIN).status = "U"
    package_spec(still_retired, METFORMIN).name_form_strength = "Metformin Teva tab 500 mg 98 stk"

    load(write(still_retired, tmp_path / "latest.xml"))

    metformin = Package.objects.get(pk=METFORMIN)
    assert metformin.name_form_strength == "Metformin Teva tab 500 mg 98 stk"
    assert (metformin.active, metformin.retired_at) == (False, retired_at)


def test_a_retired_package_listed_as_active_again_is_reactivated(first, tmp_path):
    retiring = catalogue(LATER)
    package_spec(retiring, METFORMIN).status = "U"
    load(write(retiring, tmp_path / "later.xml"))

    load(write(catalogue(LATEST), tmp_path / "latest.xml"))

    metformin = Package.objects.get(pk=METFORMIN)
    assert (metformin.active, metformin.retired_at) == (True, None)
    assert len(prices_of(METFORMIN)) == 4


def without(cat: festgen.Catalogue, *varenr: str) -> festgen.Catalogue:
    cat.packages = [p for p in cat.packages if p.varenr not in varenr]
    return cat


def test_a_full_file_without_an_active_package_retires_it(first, tmp_path):
    result = load(write(without(catalogue(LATER), FILLERS[0]), tmp_path / "later.xml"))

    gone = Package.objects.get(pk=FILLERS[0])
    assert (gone.active, gone.retired_at is not None) == (False, True)
    assert len(prices_of(FILLERS[0])) == 4
    assert Package.objects.filter(active=True).count() == 5
    assert result.counts["packages_retired"] == 1


def test_a_package_retired_for_being_absent_is_reactivated_when_it_comes_back(first, tmp_path):
    load(write(without(catalogue(LATER), FILLERS[0]), tmp_path / "later.xml"))

    result = load(write(catalogue(LATEST), tmp_path / "latest.xml"))

    back = Package.objects.get(pk=FILLERS[0])
    assert (back.active, back.retired_at) == (True, None)
    assert result.counts["packages_retired"] == 0


def test_an_incremental_file_without_a_package_keeps_it_active(first, tmp_path):
    changed = without(catalogue(LATER), *FILLERS, HUMIRA)
    package_spec(changed, METFORMIN).name_form_strength = "Metformin Teva tab 500 mg 98 stk"

    result = load(write(changed, tmp_path / "endringer.xml"), incremental=True)

    assert Package.objects.filter(active=True).count() == 6
    assert Package.objects.get(pk=METFORMIN).name_form_strength == (
        "Metformin Teva tab 500 mg 98 stk"
    )
    assert result.counts["packages_retired"] == 0
    assert result.counts["packages_updated"] == 1


def test_a_full_file_missing_more_than_a_fifth_of_the_active_packages_is_refused(first, tmp_path):
    path = write(without(catalogue(LATER), *FILLERS[:2]), tmp_path / "endringer.xml")
    before = snapshot()

    with pytest.raises(ImportRejected) as rejected:
        load(path)

    [error] = rejected.value.errors
    assert "mangler 2 av 6 aktive pakninger" in error.message
    assert "endringsfil (--incremental)" in error.message
    assert "--force" in error.message
    assert snapshot() == before


def test_force_loads_a_full_file_missing_many_packages_and_retires_them(first, tmp_path):
    path = write(without(catalogue(LATER), *FILLERS[:2]), tmp_path / "later.xml")

    result = load(path, force=True)

    assert set(Package.objects.filter(active=False).values_list("varenr", flat=True)) == set(
        FILLERS[:2]
    )
    assert result.counts["packages_retired"] == 2


# --- Older files ------------------------------------------------------------------------------


def test_an_older_file_is_refused_naming_both_dates(first, tmp_path):
    path = write(catalogue(EARLIER), tmp_path / "eldre.xml")
    before = snapshot()

    with pytest.raises(ImportRejected) as rejected:
        load(path)

    [error] = rejected.value.errors
    assert "hentet fra FEST 16.02.2026 03:10" in error.message
    assert "(hentet 02.03.2026 03:11)" in error.message
    assert "--force" in error.message
    assert error.column == "HentetDato"
    assert snapshot() == before


def test_force_loads_an_older_file_and_the_load_says_it_was_forced(first, tmp_path):
    cat = catalogue(EARLIER)
    package_spec(cat, HUMIRA).name_form_strength = "Humira inj 40 mg 2 stk (eldre)"

    result = load(write(cat, tmp_path / "eldre.xml"), force=True)

    assert result.load.forced is True
    assert result.load.retrieved_at == aware(EARLIER)
    assert FestLoad.objects.filter(forced=True).count() == 1
    assert Package.objects.get(pk=HUMIRA).name_form_strength == "Humira inj 40 mg 2 stk (eldre)"


def test_a_file_with_the_same_retrieval_time_as_the_newest_load_is_not_older(first, tmp_path):
    result = load(write(catalogue(RETRIEVED), tmp_path / "igjen.xml"))

    assert result.load.forced is False


# --- Zip files and progress --------------------------------------------------------------------


def test_a_zip_holding_one_xml_imports_the_same_as_the_xml(tmp_path):
    zipped = write(catalogue(), tmp_path / "fest251.zip")
    plain = write(catalogue(), tmp_path / "fest251.xml")

    from_zip = load(zipped)
    after_zip = snapshot()
    from_xml = load(plain)

    assert from_zip.load.sha256 == hashlib.sha256(zipped.read_bytes()).hexdigest()
    assert from_zip.counts["packages_created"] == 6
    assert changes(from_xml.counts) == {}
    assert without_load_rows(snapshot()) == without_load_rows(after_zip)


@pytest.mark.parametrize("suffix", [".xml", ".zip"])
def test_progress_is_reported_with_increasing_done_up_to_the_total(tmp_path, suffix):
    # Megabytes of interaction text, so the reader feeds the parser several chunks.
    cat = festgen.synthetic_catalogue(packages=30, interactions=600, interaction_text=2500)
    path = write(cat, tmp_path / f"fest{suffix}")
    calls: list[tuple[int, int]] = []

    load(path, progress=lambda done, total: calls.append((done, total)))

    done = [d for d, _ in calls]
    totals = {t for _, t in calls}
    assert len(totals) == 1
    [total] = totals
    assert total > 2 * fest.CHUNK
    assert done == sorted(done)
    assert len(set(done)) >= 3
    assert done[-1] == total
