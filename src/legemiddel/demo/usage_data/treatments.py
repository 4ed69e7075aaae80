"""How patients are treated in the demo: regimens by substance, indications, ward stock, and
the tender (LIS agreement) that decides the preferred package on a day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Regimen:
    """How a substance is given: route, interval and packs per dispensing or administration.

    ``tender`` lists the preferred package from a date (the LIS agreement's first choice); the
    entry before a change is what poor followers keep using.
    """

    route: str  # "H" (H-resept, dispensed at a pharmacy) or "S" (given in hospital)
    interval: int  # days between dispensings or administrations
    packs: float
    tender: tuple[tuple[dt.date, str], ...]
    dosage: str = ""


EARLY = dt.date(2000, 1, 1)
REGIMENS: dict[str, Regimen] = {
    "adalimumab": Regimen(
        "H",
        84,
        3,
        ((EARLY, "100001"), (dt.date(2024, 2, 1), "100006"), (dt.date(2025, 2, 1), "100004")),
        "40 mg subkutant annenhver uke",
    ),
    "etanercept": Regimen(
        "H", 84, 3, ((EARLY, "100012"), (dt.date(2024, 2, 1), "100014")), "50 mg s.c. hver uke"
    ),
    "certolizumab": Regimen("H", 84, 3, ((EARLY, "100022"),), "200 mg s.c. annenhver uke"),
    "golimumab": Regimen("H", 84, 3, ((EARLY, "100024"),), "50 mg s.c. hver måned"),
    "infliximab": Regimen("S", 56, 4, ((EARLY, "100017"), (dt.date(2024, 3, 1), "100018"))),
    "ustekinumab": Regimen(
        "H", 56, 1, ((EARLY, "100084"), (dt.date(2025, 4, 1), "100087")), "90 mg s.c. hver 8. uke"
    ),
    "secukinumab": Regimen("H", 84, 3, ((EARLY, "100080"),), "300 mg s.c. hver måned"),
    "ixekizumab": Regimen("H", 84, 3, ((EARLY, "100081"),), "80 mg s.c. hver 4. uke"),
    "guselkumab": Regimen("H", 56, 1, ((EARLY, "100088"),), "100 mg s.c. hver 8. uke"),
    "risankizumab": Regimen("H", 84, 1, ((EARLY, "100090"),), "150 mg s.c. hver 12. uke"),
    "tofacitinib": Regimen("H", 84, 3, ((EARLY, "100069"),), "5 mg to ganger daglig"),
    "baricitinib": Regimen("H", 84, 3, ((EARLY, "100072"),), "4 mg én gang daglig"),
    "upadacitinib": Regimen("H", 84, 3, ((EARLY, "100074"),), "15 mg én gang daglig"),
    "rituximab": Regimen("S", 182, 1, ((EARLY, "100031"), (dt.date(2024, 1, 1), "100034"))),
    "natalizumab": Regimen("S", 28, 1, ((EARLY, "100026"),)),
    "ocrelizumab": Regimen("S", 182, 2, ((EARLY, "100028"),)),
    "ofatumumab": Regimen("H", 84, 3, ((EARLY, "100030"),), "20 mg s.c. hver måned"),
    "dimethyl fumarate": Regimen(
        "H", 84, 3, ((EARLY, "100035"), (dt.date(2025, 2, 1), "100037")), "240 mg to ganger daglig"
    ),
    "teriflunomide": Regimen(
        "H", 84, 3, ((EARLY, "100038"), (dt.date(2024, 2, 1), "100040")), "14 mg én gang daglig"
    ),
    "fingolimod": Regimen(
        "H", 84, 3, ((EARLY, "100041"), (dt.date(2024, 4, 1), "100043")), "0,5 mg én gang daglig"
    ),
    "cladribine": Regimen("H", 365, 4, ((EARLY, "100044"),), "etter kroppsvekt, to kurer"),
    "pembrolizumab": Regimen("S", 21, 2, ((EARLY, "100051"),)),
    "nivolumab": Regimen("S", 28, 2, ((EARLY, "100050"),)),
    "atezolizumab": Regimen("S", 21, 1, ((EARLY, "100052"),)),
    "durvalumab": Regimen("S", 28, 3, ((EARLY, "100054"),)),
    "cemiplimab": Regimen("S", 21, 1, ((EARLY, "100056"),)),
    "trastuzumab": Regimen("S", 21, 1, ((EARLY, "100093"), (dt.date(2024, 4, 1), "100095"))),
    "pertuzumab": Regimen("S", 21, 1, ((EARLY, "100098"),)),
    "trastuzumab deruxtecan": Regimen("S", 21, 4, ((EARLY, "100099"),)),
    "aflibercept": Regimen("S", 56, 1, ((EARLY, "100058"), (dt.date(2026, 4, 1), "100061"))),
    "ranibizumab": Regimen("S", 35, 1, ((EARLY, "100063"), (dt.date(2025, 6, 1), "100064"))),
    "faricimab": Regimen("S", 70, 1, ((EARLY, "100066"),)),
    "brolucizumab": Regimen("S", 70, 1, ((EARLY, "100068"),)),
    "erenumab": Regimen("H", 84, 3, ((EARLY, "100101"),), "140 mg s.c. hver måned"),
    "galcanezumab": Regimen("H", 84, 3, ((EARLY, "100102"),), "120 mg s.c. hver måned"),
    "fremanezumab": Regimen("H", 84, 1, ((EARLY, "100105"),), "675 mg s.c. hver 3. måned"),
    "omalizumab": Regimen("H", 84, 6, ((EARLY, "100106"),), "300 mg s.c. hver 4. uke"),
    "mepolizumab": Regimen("H", 84, 3, ((EARLY, "100109"),), "100 mg s.c. hver 4. uke"),
    "benralizumab": Regimen("H", 56, 1, ((EARLY, "100111"),), "30 mg s.c. hver 8. uke"),
    "dupilumab": Regimen("H", 84, 3, ((EARLY, "100113"),), "300 mg s.c. annenhver uke"),
    "evolocumab": Regimen("H", 84, 3, ((EARLY, "100115"),), "140 mg s.c. annenhver uke"),
    "alirocumab": Regimen("H", 84, 3, ((EARLY, "100118"),), "150 mg s.c. annenhver uke"),
    "epoetin": Regimen("S", 14, 1 / 6, ((EARLY, "100121"), (dt.date(2024, 9, 1), "100126"))),
}


@dataclass(frozen=True)
class Indication:
    key: str
    icd: tuple[str, ...]  # ICD-10 without the dot, as in H-resept refund codes
    units: tuple[tuple[str, int], ...]  # unit code, weight
    regimens: tuple[tuple[str, int], ...]  # regimen, weight
    patients: int
    mean_days: int  # mean length of a course
    procedure: str = ""  # procedure code on the episode of a hospital administration
    switch: float = 0.35  # chance of a new course with another regimen after one ends


INDICATIONS: tuple[Indication, ...] = (
    Indication(
        "IBD",
        ("K50", "K51"),
        (("MED-GAST-POL", 6), ("HDS-GAST", 3), ("VOSS-MED-POL", 1), ("BUK-POL", 1)),
        (
            ("infliximab", 5),
            ("adalimumab", 4),
            ("ustekinumab", 2),
            ("tofacitinib", 1),
            ("upadacitinib", 1),
            ("risankizumab", 1),
        ),
        380,
        900,
    ),
    Indication(
        "Revmatologi",
        ("M05", "M06", "M45", "L405"),
        (
            ("MED-REV-POL", 6),
            ("MED-REV-DAG", 2),
            ("VOSS-MED-POL", 1),
            ("BUK-REV", 1),
            ("HDS-MED-POL", 1),
        ),
        (
            ("etanercept", 4),
            ("adalimumab", 3),
            ("certolizumab", 1),
            ("golimumab", 1),
            ("infliximab", 1),
            ("rituximab", 1),
            ("tofacitinib", 1),
            ("baricitinib", 1),
            ("upadacitinib", 2),
            ("secukinumab", 1),
            ("ixekizumab", 1),
        ),
        460,
        1000,
    ),
    Indication(
        "Psoriasis",
        ("L40",),
        (("HUD-POL", 5), ("HUD-LYS", 1)),
        (
            ("adalimumab", 2),
            ("ustekinumab", 2),
            ("secukinumab", 2),
            ("ixekizumab", 1),
            ("guselkumab", 2),
            ("risankizumab", 2),
        ),
        180,
        900,
    ),
    Indication("Atopisk eksem", ("L20",), (("HUD-POL", 1),), (("dupilumab", 1),), 70, 700),
    Indication(
        "MS",
        ("G35",),
        (("NEVRO-MS", 6), ("NEVRO-POL", 1)),
        (
            ("rituximab", 6),
            ("ocrelizumab", 2),
            ("natalizumab", 2),
            ("ofatumumab", 2),
            ("dimethyl fumarate", 2),
            ("teriflunomide", 1),
            ("fingolimod", 1),
            ("cladribine", 1),
        ),
        280,
        1500,
    ),
    Indication(
        "Lungekreft",
        ("C34",),
        (("KREFT-LUNG", 5), ("KREFT-POL", 1)),
        (("pembrolizumab", 5), ("nivolumab", 2), ("atezolizumab", 2), ("durvalumab", 2)),
        140,
        260,
        "WBOC05",
        0.15,
    ),
    Indication(
        "Melanom",
        ("C43",),
        (("KREFT-POL", 1),),
        (("nivolumab", 3), ("pembrolizumab", 3)),
        55,
        320,
        "WBOC05",
        0.15,
    ),
    Indication(
        "Plateepitelkarsinom hud",
        ("C44",),
        (("KREFT-POL", 1),),
        (("cemiplimab", 1),),
        14,
        250,
        "WBOC05",
        0.0,
    ),
    Indication(
        "Brystkreft",
        ("C50",),
        (("KREFT-POL", 4), ("KK-GYNONK", 1)),
        (("trastuzumab", 4), ("pertuzumab", 2), ("trastuzumab deruxtecan", 1)),
        90,
        300,
        "WBOC05",
        0.2,
    ),
    Indication(
        "Netthinnesykdom",
        ("H353", "E113"),
        (("AUGE-MAK", 6), ("AUGE-POL", 2)),
        (("aflibercept", 5), ("ranibizumab", 3), ("faricimab", 2), ("brolucizumab", 1)),
        330,
        1200,
        "CKD05",
        0.2,
    ),
    Indication(
        "Migrene",
        ("G43",),
        (("NEVRO-POL", 5), ("VOSS-MED-POL", 1)),
        (("erenumab", 3), ("galcanezumab", 2), ("fremanezumab", 2)),
        170,
        500,
    ),
    Indication(
        "Alvorlig astma",
        ("J45",),
        (("MED-LUN-POL", 5), ("BUK-POL", 1), ("HDS-MED-POL", 1)),
        (("omalizumab", 2), ("mepolizumab", 2), ("benralizumab", 2), ("dupilumab", 1)),
        110,
        1000,
    ),
    Indication(
        "Familiær hyperkolesterolemi",
        ("E780",),
        (("HJERTE-POL", 3), ("MED-END-POL", 2)),
        (("evolocumab", 3), ("alirocumab", 2)),
        130,
        1200,
        "",
        0.1,
    ),
    Indication(
        "Anemi",
        ("D631", "D630"),
        (("MED-HEM-POL", 3), ("KREFT-DAG", 1)),
        (("epoetin", 1),),
        50,
        300,
        "",
        0.0,
    ),
)
# Ward stock sold to the wards every month (no patient data): anticoagulants and common drugs.
WARDS = (
    "MED-GAST-SENG",
    "MED-REV-SENG",
    "MED-LUN-SENG",
    "MED-HEM-SENG",
    "NEVRO-SENG",
    "NEVRO-SLAG",
    "KREFT-SENG",
    "AUGE-SENG",
    "HJERTE-SENG",
    "HJERTE-POL",
    "VOSS-MED-SENG",
    "HDS-SENG",
)
WARD_STOCK: tuple[tuple[tuple[tuple[dt.date, str], ...], float], ...] = (
    # (tender of the product, mean packs per ward and month)
    (((EARLY, "100130"), (dt.date(2024, 6, 1), "100133")), 6),  # apixaban 5 mg: generic wins
    (((EARLY, "100132"), (dt.date(2024, 6, 1), "100134")), 3),  # apixaban 2,5 mg
    (((EARLY, "100135"), (dt.date(2025, 3, 1), "100138")), 3),  # rivaroxaban 20 mg
    (((EARLY, "100142"),), 1),  # edoxaban
    (((EARLY, "100140"),), 1),  # dabigatran
    (((EARLY, "100145"),), 12),  # paracetamol
    (((EARLY, "100146"),), 2),  # metformin
    (((EARLY, "100147"), (dt.date(2024, 1, 1), "100148")), 3),  # atorvastatin
    (((EARLY, "100149"),), 4),  # omeprazole
    (((EARLY, "100150"),), 3),  # amoxicillin
    (((EARLY, "100151"),), 2),  # metoprolol
    (((EARLY, "100152"),), 2),  # prednisolone
    (((EARLY, "100153"),), 1),  # morphine tablets
    (((EARLY, "100154"),), 2),  # morphine injection
)


def preferred(tender: tuple[tuple[dt.date, str], ...], day: dt.date) -> tuple[str, str | None]:
    """The preferred package on ``day`` and the one it replaced (if any)."""
    current, previous = tender[0][1], None
    for since, varenr in tender[1:]:
        if since <= day:
            current, previous = varenr, current
    return current, previous
