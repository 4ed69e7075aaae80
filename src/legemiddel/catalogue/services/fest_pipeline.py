"""The FEST import pipeline: a FEST file streamed into the catalogue, all or nothing.

``fest_import`` streams the file (see :mod:`legemiddel.catalogue.fest`) inside one transaction.
Each entry is hashed; only new or changed rows are written (see :mod:`.catalogue_writes`), in
batches, so a re-import of the same file reads everything and writes nothing. Any problem in the
file raises :class:`~legemiddel.lib.tabular.ImportRejected` and the transaction leaves the
catalogue as it was.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from legemiddel.catalogue import fest
from legemiddel.catalogue.fest.reader import Progress
from legemiddel.catalogue.models import (
    AtcCode,
    Brand,
    ExchangeGroup,
    FestLoad,
    Package,
    PackageRefund,
    Price,
    RefundCode,
    RefundGroup,
    Substance,
    atc_ancestors,
    atc_level,
)
from legemiddel.catalogue.services.catalogue_writes import (
    BATCH,
    KEEP,
    Hashes,
    absent_entries_retire,
    atc_codes_write,
    brand_substances_link,
    dangling_references_clear,
    entries_write,
    search_keys_refresh,
)
from legemiddel.core.audit import audit_record
from legemiddel.lib.db import one_writer
from legemiddel.lib.formatting import format_date
from legemiddel.lib.tabular import ImportRejected, RowError, file_sha256
from legemiddel.lib.text import fold

MAX_ERRORS = 1000


@dataclass
class FestImportResult:
    load: FestLoad
    counts: Counter[str] = field(default_factory=Counter)

    def as_text(self) -> str:
        c = self.counts
        return (
            f"FEST hentet {format_date(self.load.retrieved_at.date())}: "
            f"{c['packages_read']} pakninger lest, {c['packages_created']} nye, "
            f"{c['packages_updated']} endret, {c['packages_retired']} utgått; "
            f"{c['prices_created']} nye og {c['prices_updated']} endrede priser; "
            f"{c['brands_created'] + c['brands_updated']} merkevarer og "
            f"{c['substances_created'] + c['substances_updated']} virkestoff nye/endret."
        )


def _digest(*parts: object) -> str:
    return hashlib.md5(repr(parts).encode(), usedforsecurity=False).hexdigest()


def fest_import(
    *,
    path: Path,
    actor: Any = None,
    file_name: str = "",
    progress: Progress | None = None,
    force: bool = False,
    incremental: bool = False,
) -> FestImportResult:
    """Load a FEST file (``.xml`` or ``.zip``) into the catalogue, all or nothing.

    A full file lists every active entry, so an entry missing from a catalogue the file contains
    is retired. An ``incremental`` file lists only changes and retires only what it marks so.
    Refuses, unless ``force``: a file retrieved from FEST before the newest one already loaded,
    and a full file that would retire more than a fifth of the active packages (most likely an
    incremental file loaded as full).
    """
    started = time.monotonic()
    file_name = file_name or path.name
    sha256 = file_sha256(path)
    try:
        with fest.open_fest(path) as stream:
            items: Iterable[Any] = fest.read_fest(stream, progress=progress)
            if one_writer():
                # SQLite lets one writer in at a time: parse the whole file first (most of the
                # time), so the write transaction holds other users' writes for the writing only.
                items = list(items)
            with transaction.atomic():
                loader = _Loader(force=force, incremental=incremental)
                for item in items:
                    loader.take(item)
                result = loader.finish(
                    file_name=file_name, sha256=sha256, actor=actor, started=started
                )
    except fest.FestFileError as exc:
        raise ImportRejected([RowError(0, "", "", str(exc))]) from exc
    audit_record(
        user=actor,
        action="import",
        detail=f"FEST {file_name} ({sha256[:12]}): {result.as_text()}",
    )
    return result


class _Loader:
    """Takes parsed entries one by one and writes changed rows in batches."""

    def __init__(self, *, force: bool, incremental: bool) -> None:
        self.force = force
        self.incremental = incremental
        self.catalogues: set[str] = set()
        self.seen: dict[type[models.Model], set[str]] = {}
        self.now = timezone.now()
        self.counts: Counter[str] = Counter()
        self.errors: list[RowError] = []
        self.retrieved_at: Any = None
        self.load: FestLoad | None = None
        self.seen_varenr: dict[str, int] = {}
        self.seen_ids: dict[tuple[str, str], int] = {}
        # Existing state, to write only what changed.
        self.hashes: Hashes = {}
        for model in (Package, Brand, Substance, ExchangeGroup, RefundGroup):
            key = "varenr" if model is Package else "fest_id"
            self.hashes[model] = {
                row[0]: (row[1], row[2])
                for row in model.objects.values_list(key, "content_hash", "active")
            }
        self.prices: dict[tuple[str, str, Any], tuple[Any, ...]] = {
            (p[0], p[1], p[2]): p[3:]
            for p in Price.objects.values_list(
                "package_id", "type", "valid_from", "amount", "valid_to", "type_code", "type_label"
            )
        }
        self.atc_names: dict[str, tuple[str, str]] = {
            code: (name, source)
            for code, name, source in AtcCode.objects.values_list("code", "name", "name_source")
        }
        self.atc_new_names: dict[str, str] = {}
        self.atc_known = set(self.atc_names)
        self.strength_to_substance: dict[str, str] = {}
        self.brand_refs: dict[str, list[str]] = {}  # changed brands -> substance strength ids
        self.changed_packages: set[str] = set()
        self.changed_substances: set[str] = set()
        self.pending: dict[type[models.Model], list[models.Model]] = {}
        self.pending_prices: list[Price] = []
        self.pending_refunds: dict[str, list[PackageRefund]] = {}
        self.pending_codes: dict[str, list[RefundCode]] = {}

    # --- intake -------------------------------------------------------------------------------

    def take(self, item: fest.Header | fest.Catalogue | fest.ParsedEntry | RowError) -> None:
        if isinstance(item, fest.Header):
            self._header(item)
        elif isinstance(item, fest.Catalogue):
            self.catalogues.add(item.name)
        elif isinstance(item, RowError):
            self._error(item)
        elif isinstance(item, fest.ParsedPackage):
            self._package(item)
        elif isinstance(item, fest.ParsedBrand):
            self._brand(item)
        elif isinstance(item, fest.ParsedSubstance):
            self._substance(item)
        elif isinstance(item, fest.ParsedSubstanceStrength):
            self.strength_to_substance[item.fest_id] = item.substance_id
        elif isinstance(item, fest.ParsedExchangeGroup):
            self._exchange_group(item)
        elif isinstance(item, fest.ParsedRefundGroup):
            self._refund_group(item)
        elif isinstance(item, fest.ParsedCode) and atc_level(item.code) and item.name:
            self._atc(item.code, item.name)

    def _error(self, error: RowError) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(error)

    def _header(self, header: fest.Header) -> None:
        retrieved = header.retrieved_at
        if timezone.is_naive(retrieved):
            retrieved = timezone.make_aware(retrieved)
        self.retrieved_at = retrieved
        newest = FestLoad.objects.order_by("-retrieved_at").first()
        if newest and retrieved < newest.retrieved_at and not self.force:
            raise ImportRejected(
                [
                    RowError(
                        0,
                        "HentetDato",
                        retrieved.isoformat(),
                        f"Filen er hentet fra FEST {_when(retrieved)}, før katalogen som alt er "
                        f"lastet (hentet {_when(newest.retrieved_at)}). En eldre fil ville "
                        "skrevet over nyere data; den er ikke importert. Velg «tving import» "
                        "(--force) hvis du virkelig vil laste den.",
                    )
                ]
            )
        self.load = FestLoad.objects.create(
            retrieved_at=retrieved,
            file_name="",
            sha256="",
            forced=bool(newest and retrieved < newest.retrieved_at),
        )

    def _duplicate(self, kind: str, fest_id: str, line: int, label: str) -> bool:
        # Keyed on the id, not the line: a file on one line has every entry on line 1.
        first = self.seen_ids.get((kind, fest_id))
        if first is not None:
            self._error(
                RowError(
                    line, "Id", fest_id, f"{label} med Id {fest_id} står to ganger (linje {first})."
                )
            )
            return True
        self.seen_ids[(kind, fest_id)] = line
        return False

    def _status(self, model: type[models.Model], key: str, digest: str, active: bool) -> str:
        """'unchanged', 'created' or 'updated'; counts retirements."""
        name = model._meta.model_name + "s"  # type: ignore[operator]
        if model is Substance:
            name = "substances"
        elif model is ExchangeGroup:
            name = "exchange_groups"
        elif model is RefundGroup:
            name = "refund_groups"
        old = self.hashes[model].get(key)
        self.counts[f"{name}_read"] += 1
        self.seen.setdefault(model, set()).add(key)
        if old is None:
            self.counts[f"{name}_created"] += 1
            return "created"
        if old[0] == digest:
            self.counts[f"{name}_unchanged"] += 1
            return "unchanged"
        if old[1] and not active:
            self.counts[f"{name}_retired"] += 1
        else:
            self.counts[f"{name}_updated"] += 1
        return "updated"

    def _lifecycle(self, key: str, model: type[models.Model], active: bool) -> Any:
        """``retired_at`` for a row: now when it stops being active, kept while it stays retired."""
        if active:
            return None
        old = self.hashes[model].get(key)
        if old is not None and not old[1]:
            return KEEP
        return self.now

    def _package(self, p: fest.ParsedPackage) -> None:
        first = self.seen_varenr.get(p.varenr)
        if first is not None:
            self._error(
                RowError(
                    p.line,
                    "Varenr",
                    p.varenr,
                    f"Varenr {p.varenr} står to ganger i filen (første gang på linje {first}).",
                )
            )
            return
        self.seen_varenr[p.varenr] = p.line
        if self._duplicate("package", p.fest_id, p.line, "Legemiddelpakning"):
            return
        if p.atc and not atc_level(p.atc):
            self._error(RowError(p.line, "Atc", p.atc, "ATC-koden har ikke gyldig form."))
            return
        if p.atc:
            self._atc(p.atc, p.atc_name if atc_level(p.atc) == 5 else "")
        self._prices(p)
        if self.errors:
            return  # the file will be refused; do not spend time writing
        digest = _digest(
            p.fest_id,
            p.timestamp,
            p.status,
            p.ean,
            p.name_form_strength,
            p.atc,
            p.atc_name,
            p.brand_id,
            p.exchange_group_id,
            p.form,
            p.prescription_group,
            p.pack_size,
            p.pack_unit,
            p.pack_type,
            p.ddd,
            p.ddd_unit,
            p.ddd_per_pack,
            p.marketed_from,
            p.refunds,
        )
        state = self._status(Package, p.varenr, digest, p.active)
        if state == "unchanged":
            return
        row = Package(
            varenr=p.varenr,
            fest_id=p.fest_id,
            fest_timestamp=_aware(p.timestamp),
            active=p.active,
            content_hash=digest,
            ean=p.ean[:14],
            name_form_strength=p.name_form_strength[:500],
            atc_id=p.atc or None,
            brand_id=p.brand_id or None,
            exchange_group_id=p.exchange_group_id or None,
            form=p.form[:300],
            prescription_group=p.prescription_group[:10],
            pack_size=p.pack_size,
            pack_unit=p.pack_unit[:60],
            pack_type=p.pack_type[:200],
            ddd=p.ddd,
            ddd_unit=p.ddd_unit[:20],
            ddd_per_pack=p.ddd_per_pack,
            marketed_from=p.marketed_from,
            search_key=fold(
                " ".join(x for x in (p.name_form_strength, p.varenr, p.ean, p.atc, p.atc_name) if x)
            )[:1500],
        )
        row.retired_at = self._lifecycle(p.varenr, Package, p.active)
        self._queue(row)
        self.changed_packages.add(p.varenr)
        self.pending_refunds[p.varenr] = [
            PackageRefund(package_id=p.varenr, group_id=g, valid_from=f, valid_to=t)
            for g, f, t in dict.fromkeys(p.refunds)
        ]

    def _prices(self, p: fest.ParsedPackage) -> None:
        seen: set[tuple[str, Any]] = set()
        for price in p.prices:
            key = (p.varenr, price.type, price.valid_from)
            if (price.type, price.valid_from) in seen:
                self._error(
                    RowError(
                        p.line,
                        "PrisVare",
                        f"{price.type} {price.valid_from}",
                        f"Pakning {p.varenr} har to {price.type}-priser fra samme dato "
                        f"({format_date(price.valid_from)}).",
                    )
                )
                continue
            seen.add((price.type, price.valid_from))
            values = (price.amount, price.valid_to, price.type_code, price.type_label)
            old = self.prices.get(key)
            if old is not None and old == values:
                continue
            self.counts["prices_created" if old is None else "prices_updated"] += 1
            self.prices[key] = values
            self.pending_prices.append(
                Price(
                    package_id=p.varenr,
                    type=price.type,
                    type_code=price.type_code[:10],
                    type_label=price.type_label[:100],
                    amount=price.amount,
                    currency=price.currency[:3],
                    valid_from=price.valid_from,
                    valid_to=price.valid_to,
                    first_load=self.load,
                )
            )
            if (
                price.type_code
                and price.type_code in fest.PRICE_CODES
                and (fest.PRICE_CODES[price.type_code] != price.type)
            ):
                self.counts["price_codes_disagreeing_with_label"] += 1

    def _brand(self, b: fest.ParsedBrand) -> None:
        if self._duplicate("brand", b.fest_id, b.line, "LegemiddelMerkevare"):
            return
        if b.atc and not atc_level(b.atc):
            self._error(RowError(b.line, "Atc", b.atc, "ATC-koden har ikke gyldig form."))
            return
        if b.atc:
            self._atc(b.atc, b.atc_name if atc_level(b.atc) == 5 else "")
        digest = _digest(
            b.fest_id,
            b.timestamp,
            b.status,
            b.trade_name,
            b.name_form_strength,
            b.form,
            b.atc,
            b.prescription_group,
            b.manufacturer,
            b.substance_refs,
        )
        if self._status(Brand, b.fest_id, digest, b.active) == "unchanged":
            return
        row = Brand(
            fest_id=b.fest_id,
            fest_timestamp=_aware(b.timestamp),
            active=b.active,
            content_hash=digest,
            trade_name=b.trade_name[:300],
            name_form_strength=b.name_form_strength[:500],
            form=b.form[:300],
            atc_id=b.atc or None,
            prescription_group=b.prescription_group[:10],
            manufacturer=b.manufacturer[:300],
        )
        row.retired_at = self._lifecycle(b.fest_id, Brand, b.active)
        self._queue(row)
        self.brand_refs[b.fest_id] = b.substance_refs

    def _substance(self, s: fest.ParsedSubstance) -> None:
        if self._duplicate("substance", s.fest_id, s.line, "Virkestoff"):
            return
        digest = _digest(s.fest_id, s.timestamp, s.status, s.name, s.name_en)
        if self._status(Substance, s.fest_id, digest, s.active) == "unchanged":
            return
        row = Substance(
            fest_id=s.fest_id,
            fest_timestamp=_aware(s.timestamp),
            active=s.active,
            content_hash=digest,
            name=s.name[:300],
            name_en=s.name_en[:300],
            search_key=fold(f"{s.name} {s.name_en}")[:700],
        )
        row.retired_at = self._lifecycle(s.fest_id, Substance, s.active)
        self._queue(row)
        self.changed_substances.add(s.fest_id)

    def _exchange_group(self, g: fest.ParsedExchangeGroup) -> None:
        if self._duplicate("exchange", g.fest_id, g.line, "Byttegruppe"):
            return
        digest = _digest(g.fest_id, g.timestamp, g.status, g.code, g.valid_from, g.description)
        if self._status(ExchangeGroup, g.fest_id, digest, g.active) == "unchanged":
            return
        row = ExchangeGroup(
            fest_id=g.fest_id,
            fest_timestamp=_aware(g.timestamp),
            active=g.active,
            content_hash=digest,
            code=g.code[:50],
            valid_from=g.valid_from,
            description=g.description[:1000],
        )
        row.retired_at = self._lifecycle(g.fest_id, ExchangeGroup, g.active)
        self._queue(row)

    def _refund_group(self, g: fest.ParsedRefundGroup) -> None:
        if self._duplicate("refund", g.fest_id, g.line, "Refusjonsgruppe"):
            return
        if g.atc and atc_level(g.atc):
            self._atc(g.atc, "")
        digest = _digest(
            g.fest_id,
            g.timestamp,
            g.status,
            g.group_no,
            g.basis_code,
            g.basis,
            g.atc,
            g.is_h_resept,
            [(c.code, c.system, c.term, c.valid_from, c.valid_to) for c in g.codes],
        )
        if self._status(RefundGroup, g.fest_id, digest, g.active) == "unchanged":
            return
        row = RefundGroup(
            fest_id=g.fest_id,
            fest_timestamp=_aware(g.timestamp),
            active=g.active,
            content_hash=digest,
            group_no=g.group_no[:50],
            basis_code=g.basis_code[:20],
            basis=g.basis[:300],
            atc_id=g.atc if g.atc and atc_level(g.atc) else None,
            is_h_resept=g.is_h_resept,
        )
        row.retired_at = self._lifecycle(g.fest_id, RefundGroup, g.active)
        self._queue(row)
        self.pending_codes[g.fest_id] = [
            RefundCode(
                group_id=g.fest_id,
                code=c.code[:20],
                system=c.system[:60],
                term=c.term[:500],
                valid_from=c.valid_from,
                valid_to=c.valid_to,
            )
            for c in g.codes
        ]

    def _atc(self, code: str, name: str) -> None:
        for ancestor in atc_ancestors(code):
            if ancestor not in self.atc_known:
                self.atc_known.add(ancestor)
                self.atc_new_names.setdefault(ancestor, "")
        if name:
            old_name, source = self.atc_names.get(code, ("", ""))
            if source != AtcCode.NameSource.FILE and old_name != name:
                self.atc_new_names[code] = name
                self.atc_names[code] = (name, AtcCode.NameSource.FEST)

    # --- writing ------------------------------------------------------------------------------

    def _queue(self, row: models.Model) -> None:
        rows = self.pending.setdefault(type(row), [])
        rows.append(row)
        if len(rows) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        if self.errors:
            self.pending.clear()
            self.pending_prices.clear()
            return
        if self.atc_new_names:
            atc_codes_write(codes=self.atc_new_names, names=self.atc_names)
            self.atc_new_names.clear()
        entries_write(
            rows=self.pending,
            codes=self.pending_codes,
            refunds=self.pending_refunds,
            prices=self.pending_prices,
        )
        self.pending.clear()
        self.pending_codes.clear()
        self.pending_refunds.clear()
        self.pending_prices = []

    def finish(
        self, *, file_name: str, sha256: str, actor: Any, started: float
    ) -> FestImportResult:
        if self.load is None:
            raise fest.FestFileError("Filen mangler HentetDato; den er ikke en FEST M30-fil.")
        if self.errors:
            raise ImportRejected(self.errors)
        self._flush()
        if not self.incremental:
            self.counts.update(
                absent_entries_retire(
                    catalogues=self.catalogues,
                    seen=self.seen,
                    hashes=self.hashes,
                    force=self.force,
                    now=self.now,
                )
            )
        brand_substances_link(
            brand_refs=self.brand_refs, strength_to_substance=self.strength_to_substance
        )
        self.counts.update(dangling_references_clear())
        search_keys_refresh(
            changed_packages=self.changed_packages,
            changed_brands=self.brand_refs,
            changed_substances=self.changed_substances,
        )
        self.load.file_name = file_name[:255]
        self.load.sha256 = sha256
        self.load.loaded_by = actor
        self.load.counts = dict(sorted(self.counts.items()))
        self.load.seconds = round(time.monotonic() - started, 2)
        self.load.save()
        return FestImportResult(load=self.load, counts=self.counts)


def _aware(value: Any) -> Any:
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


def _when(value: Any) -> str:
    return timezone.localtime(value).strftime("%d.%m.%Y %H:%M")
