"""Reads for the clinicians' look-up: search, the plain answer, questions and answers.

Search folds case the way the catalogue does (:func:`legemiddel.lib.text.fold`, so Æ, Ø and Å
match in any case on SQLite and PostgreSQL alike). The list is about a thousand rows: the
database narrows the rows with ASCII terms (``icontains`` folds ASCII on both databases), and
every row found is checked again on the folded text, which is what decides. Nothing here
reads a price: the LIS first choice comes from the published, price-free lines.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from legemiddel.agreements.selectors import area_recommendation
from legemiddel.lib.formatting import format_date
from legemiddel.lib.text import fold, one_line
from legemiddel.methods.ids import method_id_or_none
from legemiddel.methods.models import DecisionStatus, Method, MethodType, Question

MAX_TERMS = 8
MAX_GROUPS = 25
TYPE_ORDER = {MethodType.DRUG: 0, MethodType.DEVICE: 1, MethodType.PROCEDURE: 2}
# How a status looks on a badge: ok (green), warn (amber), bad (red), "" (neutral).
STATUS_TONES = {
    DecisionStatus.INTRODUCED: "ok",
    DecisionStatus.CONDITIONS: "ok",
    DecisionStatus.NOT_INTRODUCED: "bad",
    DecisionStatus.ASSESSMENT: "warn",
    DecisionStatus.OTHER: "",
}
_SEARCH_FIELDS = (
    "id",
    "method_id",
    "indication",
    "substance_text",
    "trade_names",
    "method_type",
    "status",
    "suggested_status",
    "decision_date",
    "effective_from",
)


def current_methods() -> QuerySet[Method]:
    """The methods of the latest list, and those added by hand (rows removed from the list
    are history, not a decision in force)."""
    return Method.objects.filter(Q(listed=True) | Q(manual=True))


@dataclass(frozen=True)
class StatusBadge:
    """A method's status as shown: the confirmed one, else the suggestion, marked as such."""

    status: str
    label: str
    tone: str
    confirmed: bool


def status_badge(method: Method, labels: dict[str, str] | None = None) -> StatusBadge:
    """``labels`` (status -> label in the active language) saves a translation per row."""
    status = method.effective_status or DecisionStatus.OTHER
    label = labels[status] if labels else str(DecisionStatus(status).label)
    return StatusBadge(
        status=status,
        label=label,
        tone=STATUS_TONES.get(DecisionStatus(status), ""),
        confirmed=bool(method.status),
    )


def _short(text: str, limit: int = 220) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class Hit:
    """One indication found, as the result list shows it."""

    method: Method
    badge: StatusBadge
    indication: str  # on one line, cut at 220 characters
    decided: str  # "besluttet 20.11.2023", or empty


@dataclass
class MethodGroup:
    """The rows of one method ID that match a search: one per indication."""

    method_id: str
    substance: str
    trade_names: str
    method_type: str
    method_type_label: str
    rows: list[Hit] = field(default_factory=list)


@dataclass(frozen=True)
class SearchResult:
    q: str
    groups: list[MethodGroup]
    total_groups: int  # before the cut at MAX_GROUPS
    area: str = ""  # a LIS area's code: the methods linked to it

    @property
    def searched(self) -> bool:
        return bool(self.q.strip() or self.area)

    @property
    def cut(self) -> bool:
        return self.total_groups > len(self.groups)


def search_terms(q: str) -> list[str]:
    """The folded words of a query; at most a handful."""
    return [t for t in fold(q).split() if t][:MAX_TERMS]


def _haystack(method: Method) -> str:
    # The ID in both forms: "id2019_073" and "2019_073" (a folded term matches either).
    return fold(
        " ".join((method.method_id, method.substance_text, method.trade_names, method.indication))
    )


def _ascii_parts(term: str) -> list[str]:
    """The runs of ASCII in a folded term (``sjøgren`` -> ``sj``, ``gren``): text whose folded
    form holds the term holds each run in some case, which both databases compare without
    help. The database narrows on them; the folded comparison decides."""
    return [part for part in re.split(r"[^\x00-\x7f]+", term) if len(part) >= 2]


def method_search(q: str, *, area: str = "", limit: int = MAX_GROUPS) -> SearchResult:
    """Methods whose ID, substance, trade name or indication holds every word of ``q``,
    grouped per method ID: drugs first, then devices and procedures.

    The ID is accepted in every form (``2019_073``, ``ID2019_073``, ``id2021_110 a``): a query
    that is an ID finds that ID and those that start with it (``2021_110`` finds ``…110A``).
    ``area`` (a LIS area's code) keeps the methods linked to that area.
    """
    q = one_line(q)[:200]  # no control characters (PostgreSQL refuses NUL in a query)
    area = one_line(area)[:40]
    terms = search_terms(q)
    if not terms and not area:
        return SearchResult(q, [], 0, area)
    methods = current_methods().only(*_SEARCH_FIELDS)
    if area:
        methods = methods.filter(area__code=area)
    as_id = method_id_or_none(q)
    if not terms:
        found = list(methods)
    elif as_id:
        found = list(methods.filter(method_id__startswith=as_id))
    else:
        for term in terms:
            for part in _ascii_parts(term):
                methods = methods.filter(
                    Q(method_id__icontains=part)
                    | Q(substance_text__icontains=part)
                    | Q(trade_names__icontains=part)
                    | Q(indication__icontains=part)
                )
        found = [m for m in methods if all(t in _haystack(m) for t in terms)]
    first = terms[0] if terms else ""

    def order(m: Method) -> tuple[int, int, int, str, str, str]:
        substance = fold(m.substance_text)
        return (
            TYPE_ORDER.get(MethodType(m.method_type), 9),
            0 if fold(m.method_id) == first or fold(m.method_id[2:]) == first else 1,
            0
            if first and (substance.startswith(first) or fold(m.trade_names).startswith(first))
            else 1,
            substance,
            m.method_id,
            fold(m.indication),
        )

    groups: dict[str, MethodGroup] = {}
    # Labels and phrases made once per search, not per row: with a broad query (a year,
    # "barn") they were most of the time. (The page builds each address from one prefix.)
    labels = {str(status): str(status.label) for status in DecisionStatus}
    types = {str(kind): str(kind.label) for kind in MethodType}
    decided = _("decided %(day)s")
    for method in sorted(found, key=order):
        group = groups.get(method.method_id)
        if group is None:
            group = groups[method.method_id] = MethodGroup(
                method.method_id,
                method.substance_text,
                method.trade_names,
                method.method_type,
                types.get(method.method_type, method.method_type),
            )
        when = format_date(method.decision_date)
        group.rows.append(
            Hit(
                method,
                status_badge(method, labels),
                _short(method.indication),
                decided % {"day": when} if when else "",
            )
        )
    ordered = list(groups.values())
    return SearchResult(q, ordered[:limit], len(ordered), area)


# --- The answer ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FirstChoice:
    """The rank-1 products of the LIS agreement in force for the method's area (no prices)."""

    agreement_title: str
    area_code: str
    products: list[str]


def lis_first_choice(method: Method, today: dt.date | None = None) -> FirstChoice | None:
    """What the published agreement in force for the method's LIS area ranks first today."""
    if method.area_id is None or method.area is None:
        return None
    recommendation = area_recommendation(method.area, today)
    if recommendation.current is None:
        return None
    products: list[str] = []
    for group in recommendation.groups:
        for line in group.lines:
            if line.rank != 1:
                continue
            brand = line.package.brand
            name = brand.trade_name if brand is not None else line.package.name_form_strength
            if name not in products:
                products.append(name)
    if not products:
        return None
    return FirstChoice(recommendation.current.title, method.area.code, products)


def _lower_first(text: str) -> str:
    """``Revmatoid artritt`` -> ``revmatoid artritt`` inside a sentence; ``HER2-positiv`` stays."""
    text = " ".join(text.split())
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


def answer(method: Method, *, today: dt.date | None = None) -> str:
    """The decision in one or two plain sentences, built from the data.

    The confirmed status decides; while nobody has confirmed it, the suggestion read from the
    text is used and the answer says so. The LIS first choice is added for an introduction.
    """
    status = method.effective_status or DecisionStatus.OTHER
    indication = _lower_first(method.indication)
    when = format_date(method.effective_from)
    if status in (DecisionStatus.INTRODUCED, DecisionStatus.CONDITIONS):
        text = _("Introduced for %(indication)s") % {"indication": indication}
        if when:
            text += " " + _("from %(date)s") % {"date": when}
        elif method.effective_note:
            text += " (" + " ".join(method.effective_note.split()) + ")"
        if method.conditions:
            text += ", " + _("on condition: %(conditions)s") % {
                "conditions": " ".join(method.conditions.split()).rstrip(".")
            }
        elif method.price_condition or status == DecisionStatus.CONDITIONS:
            text += ", " + (
                _("on condition of the price agreed")
                if method.price_condition
                else _("with conditions (see the full decision)")
            )
        first = lis_first_choice(method, today)
        if first is not None:
            text += "; " + _(
                "first choice in the LIS agreement %(agreement)s (rank 1: %(products)s)"
            ) % {
                "agreement": first.agreement_title,
                "products": ", ".join(first.products),
            }
        text += "."
    elif status == DecisionStatus.NOT_INTRODUCED:
        text = _("Not introduced for %(indication)s") % {"indication": indication}
        if method.decision_date:
            text += " " + _("(decided %(date)s)") % {"date": format_date(method.decision_date)}
        text += "."
    elif status == DecisionStatus.ASSESSMENT:
        text = _(
            "Under assessment for %(indication)s: must not be started for new patients; "
            "ongoing treatment may continue."
        ) % {"indication": indication}
    else:
        text = _(
            "The decision for %(indication)s is not one of introduced, not introduced or under "
            "assessment: read the full decision below."
        ) % {"indication": indication}
    if not method.status:
        text += " " + _("(suggested, not confirmed)")
    return text


def public_url(method: Method) -> str:
    """The national method page (its search form: the slug is not derivable from the ID)."""
    return str(settings.METHODS_PUBLIC_URL).replace("{id}", method.method_id)


def method_detail(pk: int) -> Method | None:
    """A method by its key, removed rows too: a link to one that left the list still answers
    (the page says it is no longer in the list)."""
    return (
        Method.objects.select_related("area", "status_confirmed_by", "last_import")
        .filter(pk=pk)
        .first()
    )


def siblings(method: Method) -> list[tuple[Method, StatusBadge]]:
    """The other indications of the same method ID, with their status."""
    others = (
        current_methods()
        .filter(method_id=method.method_id)
        .exclude(pk=method.pk)
        .only(*_SEARCH_FIELDS)
        .order_by("indication", "pk")
    )
    return [(m, status_badge(m)) for m in others]


# --- Questions -----------------------------------------------------------------------------


def answered_questions(method: Method) -> list[Question]:
    """What was asked and answered about this method, newest first (no names: the answer is
    for the next clinician, not a record of who asked)."""
    return list(method.questions.exclude(answered_at__isnull=True).order_by("-answered_at", "-id"))


def questions_for_core_group(*, state: str = "open") -> QuerySet[Question]:
    """Open (unanswered) or answered questions, oldest open first, newest answered first."""
    questions = Question.objects.select_related("method", "asked_by", "answered_by")
    if state == "answered":
        return questions.filter(answered_at__isnull=False).order_by("-answered_at", "-id")
    return questions.filter(answered_at__isnull=True).order_by("asked_at", "id")


def open_question_count() -> int:
    return Question.objects.filter(answered_at__isnull=True).count()
