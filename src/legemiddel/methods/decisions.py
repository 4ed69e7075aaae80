"""Understanding a decision text: a suggested status, the conditions and the date of use.

A person in the core group confirms or corrects the suggestion; the full text is always shown.

How the texts are read (the short and the full version together, case and spacing ignored):

1. A negated decision wins: «kan ikke innføres», «innføres ikke», «innføres derfor ikke»,
   «ikke innført», «besluttet å ikke innføre», «ikke grunnlag for å innføre», «kan ikke tas i
   bruk» -> not introduced, even when another sentence introduces the method for a narrower
   group (the core group corrects that; a wrong «not introduced» is caught, a wrong
   «introduced» would let contradicting use pass unnoticed).
2. Otherwise a decision to introduce («X kan innføres til behandling av ...», «innføres»,
   «Innført», «kan tas i bruk») -> introduced; with conditions («forutsetter», «forutsatt»,
   «under forutsetning av», «vilkår», «betinget», «på betingelse av», «krav om», «forbeholdt»,
   «skal kun») -> introduced with conditions. The conditions are those sentences;
   ``price_condition`` says one of them is about the price («prisen er lik eller lavere enn»).
   «Kan ikke tas i bruk før ...» is a deferral, not a negation: a condition of an
   introduction, or (without one) under assessment.
3. Otherwise «under vurdering», «ikke ferdig vurdert», «metodevurdering pågår», «til
   beslutning», «avventer», «ikke besluttet», or no text at all -> under assessment. A
   negated text that also says so («ikke ferdig vurdert, kan ikke innføres nå») is under
   assessment too (both forbid starting new patients).
4. Anything else (withdrawn, closed, sent back for dialogue) -> other.

The date of use: «kan tas i bruk fra 1. mars 2024», «fra og med 01.03.2024», «gjelder fra
mars 2024» -> ``effective_from``; «fra ny LIS-avtale», «når nye anbefalinger/avtaler gjelder»,
«når ny pris gjelder» -> ``effective_note`` (:func:`tied_to_agreement` says whether the note
points at an agreement; linking then takes the start of the linked area's agreement).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from legemiddel.methods.models import DecisionStatus


@dataclass(frozen=True)
class Understanding:
    status: str
    conditions: str = ""
    price_condition: bool = False
    effective_from: dt.date | None = None
    effective_note: str = ""


_ADVERB = r"(?:derfor|foreløpig|nå|dermed|heller|fortsatt|enda|lenger|per\s+i\s+dag|p\.t\.)"
_USE = r"(?:innføres|innføre|innført|tas\s+i\s+bruk|ta\s+i\s+bruk|tatt\s+i\s+bruk)"
_NOT_BEFORE = r"(?!\s+(?:før|inntil)\b)"
# «Kan ikke tas i bruk før ...»: a deferral (a condition of an introduction, or no decision yet).
_DEFERRED = re.compile(
    rf"\b(?:kan|skal|vil|bør|må)\s+ikke\s+(?:{_ADVERB}\s+)?{_USE}[^.]*?\s(?:før|inntil)\b",
    re.IGNORECASE,
)
_NEGATED = re.compile(
    "|".join(
        [
            rf"\b(?:kan|skal|vil|bør|må)\s+(?:{_ADVERB}\s+)?ikke\s+(?:{_ADVERB}\s+)?{_USE}"
            + _NOT_BEFORE,
            rf"\b{_USE}(?:\s+{_ADVERB}){{0,2}}\s+ikke\b" + _NOT_BEFORE,
            rf"\bikke\s+(?:{_ADVERB}\s+)?(?:å\s+)?{_USE}" + _NOT_BEFORE,
            rf"\bikke\s+(?:grunnlag|anledning)\s+(?:for|til)\s+(?:å\s+)?{_USE}",
            r"\b(?:grunnlag\w*|forutsetning\w*|kriterie\w*)\s+for\s+(?:å\s+)?innføre\w*"
            r"[^.]*?\bikke\b",
            r"\b(?:avslått|avslår|avvist|avviser)\b",
        ]
    ),
    re.IGNORECASE,
)
_INTRODUCED = re.compile(rf"\b(?:{_USE}|innføring\s+av|godkjent\s+for\s+bruk)\b", re.IGNORECASE)
_ASSESSMENT = re.compile(
    r"\b(?:under\s+(?:metode)?vurdering|ikke\s+(?:ferdig\s*)?(?:vurdert|behandlet|besluttet)"
    r"|metodevurdering(?:en)?\s+pågår|vurdering(?:en)?\s+pågår|til\s+beslutning|avventer"
    r"|ingen\s+beslutning|ikke\s+tatt\s+stilling|ikke\s+fattet|sendes\s+tilbake"
    r"|beslutning(?:en)?\s+(?:er\s+)?utsatt|ikke\s+ferdigstilt)\b",
    re.IGNORECASE,
)
_CONDITION = re.compile(
    r"\b(?:forutset\w*|forutsatt|forutsetning\w*|vilkår\w*|betinget|betingelse\w*|"
    r"krav\s+om|forbeholdt|skal\s+kun|kun\s+(?:brukes|benyttes|gis|til|for|ved|hos)|"
    r"under\s+forutsetning)\b",
    re.IGNORECASE,
)
# «Prisen skal være lik eller lavere enn ...» conditions the price without a condition word.
_PRICE_LEVEL = re.compile(r"\blik\s+eller\s+lavere\b|\bikke\s+overstige", re.IGNORECASE)
_PRICE = re.compile(
    r"\b(?:pris\w*|lik\s+eller\s+lavere|rabatt\w*|kostnad\w*|prisnotat)\b", re.IGNORECASE
)
# A sentence ends at . ! ? or a line break, but not in «1. mars», «1. MARS» or «01.03.2024».
_SENTENCE = re.compile(r"(?<=[.!?])(?<!\b\d\.)(?<!\b\d\d\.)\s+(?=[A-ZÆØÅ«\"(])|\n+")

MONTHS = {
    "januar": 1, "februar": 2, "mars": 3, "april": 4, "mai": 5, "juni": 6, "juli": 7,
    "august": 8, "september": 9, "oktober": 10, "november": 11, "desember": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "okt": 10, "nov": 11, "des": 12,
}  # fmt: skip
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_FROM = r"\bfra(?:\s+og\s+med)?(?:\s+den)?\s+"
_DATE_NUMERIC = re.compile(_FROM + r"(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})\b", re.IGNORECASE)
_DATE_WORDS = re.compile(
    _FROM + rf"(?:(\d{{1,2}})\.?\s+)?({_MONTH})\.?\s+(\d{{4}})\b", re.IGNORECASE
)
_EFFECTIVE_CONTEXT = re.compile(
    r"\b(?:bruk|gjeld\w*|gyldig\w*|iverksett\w*|innfør\w*|virkning|tilgjengelig)", re.IGNORECASE
)
_TIED = re.compile(
    r"\b(?:(?:fra|når|etter)\s+(?:det\s+)?(?:tidspunkt(?:et)?\s+)?(?:for\s+|da\s+)?"
    r"(?:en\s+)?(?:ny|nye)\s+(?:lis-?\s*)?(?:avtale\w*|anbefaling\w*|anskaffelse\w*|"
    r"anbud\w*|pris\w*|innkjøp\w*)"
    r"|(?:ny|nye)\s+lis-?\s*(?:avtale\w*|anbefaling\w*)\s+(?:gjelder|trer\s+i\s+kraft|"
    r"er\s+(?:inngått|på\s+plass|gjeldende|etablert))"
    r"|når\s+(?:den\s+)?nye\s+prisen\s+(?:gjelder|er\s+gjeldende|trer\s+i\s+kraft)"
    r"|(?:fra|når)\s+(?:det\s+)?(?:lis-?\s*)?(?:avtale\w*|anbud\w*)\s+"
    r"(?:gjelder|trer\s+i\s+kraft|er\s+(?:inngått|på\s+plass|gjeldende)))",
    re.IGNORECASE,
)
_AGREEMENT = re.compile(r"\b(?:lis|avtale\w*|anbefaling\w*|anbud\w*|anskaffelse\w*)", re.I)


def sentences(text: str) -> list[str]:
    """The text's sentences, white space tidied."""
    parts = _SENTENCE.split(text or "")
    return [" ".join(p.split()) for p in parts if p and p.strip()]


def _text(short: str, full: str) -> str:
    short, full = (short or "").strip(), (full or "").strip()
    if short and full and " ".join(short.split()) in " ".join(full.split()):
        return full
    return "\n".join(t for t in (short, full) if t)


def _date(day: int, month: int, year: int) -> dt.date | None:
    if year < 100:
        year += 2000
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def effective_date(text: str) -> dt.date | None:
    """The first «fra <date>» in a sentence about use or validity (an impossible date is none)."""
    for sentence in sentences(text):
        if not _EFFECTIVE_CONTEXT.search(sentence):
            continue
        found: list[tuple[int, dt.date | None]] = []
        for m in _DATE_NUMERIC.finditer(sentence):
            found.append((m.start(), _date(int(m[1]), int(m[2]), int(m[3]))))
        for m in _DATE_WORDS.finditer(sentence):
            found.append((m.start(), _date(int(m[1] or 1), MONTHS[m[2].lower()], int(m[3]))))
        for _start, day in sorted(found, key=lambda item: item[0]):
            if day is not None:
                return day
    return None


def effective_note(text: str) -> str:
    """The sentence that ties the start of use to something other than a date (a new LIS
    agreement or recommendation, a new price), at most 300 characters."""
    for sentence in sentences(text):
        if _TIED.search(sentence):
            return sentence[:300]
    return ""


def tied_to_agreement(note: str) -> bool:
    """Whether an effective note points at a LIS agreement or recommendation."""
    return bool(note and _AGREEMENT.search(note))


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def understand(short: str, full: str = "") -> Understanding:
    """What the decision texts say (see the module's docstring for the rules)."""
    text = _text(short, full)
    if not text:
        return Understanding(status=DecisionStatus.ASSESSMENT)
    every = sentences(text)
    deferred = [s for s in every if _DEFERRED.search(s)]
    rest = _DEFERRED.sub(" ", text)
    negated = bool(_NEGATED.search(rest))
    rest = _NEGATED.sub(" ", rest)
    assessment = bool(_ASSESSMENT.search(text))
    if negated:
        if assessment:
            return Understanding(status=DecisionStatus.ASSESSMENT)
        return Understanding(status=DecisionStatus.NOT_INTRODUCED)
    if _INTRODUCED.search(rest):
        conditions = _unique(
            [s for s in every if s in deferred or _CONDITION.search(s) or _PRICE_LEVEL.search(s)]
        )
        return Understanding(
            status=DecisionStatus.CONDITIONS if conditions else DecisionStatus.INTRODUCED,
            conditions="\n".join(conditions),
            price_condition=any(_PRICE.search(s) for s in conditions),
            effective_from=effective_date(text),
            effective_note=effective_note(text),
        )
    if assessment or deferred:
        return Understanding(status=DecisionStatus.ASSESSMENT)
    return Understanding(status=DecisionStatus.OTHER)
