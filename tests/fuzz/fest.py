"""The FEST importer in the fuzzing harness: catalogues written as M30 XML (or zipped), with
hostile values in their fields and damage to the document itself."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from legemiddel.catalogue.models import Package
from legemiddel.demo import festgen
from tests.catalogue import festfiles
from tests.fuzz import world
from tests.fuzz.harness import FuzzFile, Importer, Keys, Row, hostile_values

WORDS = st.lists(
    st.text(
        alphabet="abcdefghijklmnopqrstuvwxyzæøåABCDEFGHIJKLMNOPQRSTUVWXYZÆØÅ0123456789.%/",
        min_size=1,
        max_size=10,
    ),
    min_size=1,
    max_size=5,
).map(" ".join)
FIELDS = ("name_form_strength", "pack_size", "ddd_per_pack", "atc", "varenr", "ean", "price")

BILLION_LAUGHS = (
    "<?xml version='1.0'?>\n<!DOCTYPE FEST [\n<!ENTITY a 'aaaaaaaaaaaaaaaaaaaa'>\n"
    + "".join(f"<!ENTITY {chr(98 + i)} '{('&' + chr(97 + i) + ';') * 10}'>\n" for i in range(8))
    + "]>\n<FEST xmlns='http://www.kith.no/xmlstds/eresept/m30/2014-12-01'>"
    "<HentetDato>&i;</HentetDato></FEST>\n"
)
EXTERNAL_ENTITY = (
    "<?xml version='1.0'?>\n<!DOCTYPE FEST [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>\n"
    "<FEST xmlns='http://www.kith.no/xmlstds/eresept/m30/2014-12-01'>"
    "<HentetDato>2026-03-16T03:12:05</HentetDato><KatLegemiddelpakning>&x;"
    "</KatLegemiddelpakning></FEST>\n"
)


@st.composite
def fest_rows(draw: st.DrawFn) -> list[Row]:
    """Packages: the catalogue's own (renamed) and new ones with their own varenr."""
    rows: list[Row] = []
    new = draw(st.integers(0, 4))
    existing = draw(st.lists(st.sampled_from(festfiles.FILLERS), unique=True, max_size=3))
    for i, varenr in enumerate([*existing, *(f"2{i:05d}" for i in range(new))]):
        rows.append(
            {
                "varenr": varenr,
                "name_form_strength": draw(WORDS),
                "pack_size": str(draw(st.integers(1, 500))),
                "ddd_per_pack": str(draw(st.decimals("0.01", "500", places=2))),
                "price": str(draw(st.decimals("0.01", "999999", places=2))),
                "index": str(i),
            }
        )
    return rows


def build(draw: st.DrawFn, rows: list[Row], hostile: bool = True) -> FuzzFile:
    cat = festfiles.catalogue(festfiles.LATER)
    notes: list[str] = []
    valid: list[Row] = []
    for row in rows:
        values = dict(row)
        if hostile and draw(st.integers(0, 4)) == 0:
            field = draw(st.sampled_from(FIELDS))
            values[field] = draw(hostile_values())
            notes.append(f"hostile {field}")
        else:
            valid.append(row)
        spec = next((p for p in cat.packages if p.varenr == row["varenr"]), None)
        if spec is None:
            spec = festfiles._package(row["varenr"])
            cat.packages.append(spec)
        spec.varenr = values["varenr"]
        spec.name_form_strength = values["name_form_strength"]
        spec.pack_size = values["pack_size"]
        spec.ddd_per_pack = values["ddd_per_pack"]
        spec.atc = values.get("atc", spec.atc)
        spec.ean = values.get("ean", festgen.ean13(row["varenr"]))
        spec.prices = [
            festgen.PriceSpec("AIP", values["price"], festfiles.NEW_FROM),  # type: ignore[arg-type]
            festgen.PriceSpec("AUP", Decimal("1") + Decimal(row["price"]), festfiles.NEW_FROM),
        ]
    out = io.StringIO()
    festgen.write_fest(cat, out)
    text = out.getvalue()

    damages = (
        "truncate",
        "flip",
        "control",
        "tag",
        "encoding",
        "bomb",
        "entity",
        "random",
        "empty",
    )
    damage = draw(st.sampled_from(("none",) * 10 + damages)) if hostile else "none"
    data = text.encode("utf-8", errors="surrogatepass")
    if damage == "truncate":
        data = data[: len(data) * draw(st.integers(0, 999)) // 1000]
    elif damage == "flip":
        at = len(data) * draw(st.integers(0, 999)) // 1000
        data = data[:at] + bytes([draw(st.integers(0, 255))]) + data[at + 1 :]
    elif damage == "control":
        at = text.index("<NavnFormStyrke>") + len("<NavnFormStyrke>")
        data = (
            text[:at] + draw(st.sampled_from(("\x00", "\x01", "\x1b", "\ufffe"))) + text[at:]
        ).encode("utf-8", errors="surrogatepass")
    elif damage == "tag":
        data = text.replace("</Varenr>", "", 1).encode()
    elif damage == "encoding":
        data = text.replace("encoding='utf-8'", "encoding='utf-16'", 1).encode()
    elif damage == "bomb":
        data = BILLION_LAUGHS.encode()
    elif damage == "entity":
        data = EXTERNAL_ENTITY.encode()
    elif damage == "random":
        data = draw(st.binary(max_size=400))
    elif damage == "empty":
        data = b""
    if damage != "none":
        notes.append(damage)
        valid = []
    name = "fest.xml"
    if draw(st.integers(0, 4)) == 0:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("fest.xml", data)
        data, name = buffer.getvalue(), "fest.zip"
        notes.append("zip")
    return FuzzFile(
        name=name,
        data=data,
        valid_rows=valid,
        clean=not notes or notes == ["zip"],
        data_rows=len(rows),
        notes=notes or ["clean"],
    )


def _stored() -> Keys:
    return set(Package.objects.filter(active=True).values_list("varenr", "name_form_strength"))


def _run(path: Path, **options: Any) -> Any:
    from legemiddel.core import jobs

    return jobs.get("fest").run(path=path, actor=None, file_name=path.name, **options)


IMPORTER = Importer(
    key="fest",
    tables=("catalogue.Package", "catalogue.Price", "catalogue.Brand", "catalogue.Substance"),
    rows=fest_rows,
    build=build,
    formats=("xml",),
    run=_run,
    stored=_stored,
    keys=lambda rows: {(r["varenr"], r["name_form_strength"]) for r in rows},
    content=lambda: (
        sorted(
            Package.objects.values_list("varenr", "name_form_strength", "active", "content_hash")
        ),
        festfiles.snapshot()["counts"],
    ),
    seed=world.seed,
)
