"""Reading the catalogue pages in tests: their addresses, the rows they show, their text.

Texts the user reads are compared through the Norwegian catalogue, so the tests hold when the
strings are translated.
"""

from __future__ import annotations

import re

from django.urls import reverse
from django.utils import timezone, translation
from lxml import html as lxml_html

from legemiddel.catalogue.models import Package, Substance
from legemiddel.lib.text import fold

SEARCH = reverse("catalogue:search")
ATC_ROOT = reverse("catalogue:atc_root")
LOADS = reverse("catalogue:loads")
HTMX = {"HX-Request": "true"}


def nb(text) -> str:
    """What the Norwegian user interface shows for a source string."""
    with translation.override("nb"):
        return str(translation.gettext(text))


def package_url(varenr: str) -> str:
    return reverse("catalogue:package", args=[varenr])


def atc_url(code: str) -> str:
    return reverse("catalogue:atc", args=[code])


def substance_url(name: str) -> str:
    return reverse("catalogue:substance", args=[Substance.objects.get(name=name).fest_id])


def found(response) -> list[str]:
    """The varenr of the packages on the page, in the order shown."""
    return [p.varenr for p in response.context["page"]]


def search(client, q: str = "", **params) -> list[str]:
    return found(client.get(SEARCH, {"q": q, **params}))


def retire(*varenr: str) -> None:
    Package.objects.filter(varenr__in=varenr).update(active=False, retired_at=timezone.now())


def add_package(varenr: str, name: str, **fields) -> Package:
    """A package outside the demo file, keyed for search as the FEST import keys it."""
    return Package.objects.create(
        varenr=varenr,
        fest_id=f"ID_TEST_{varenr}",
        content_hash="test",
        name_form_strength=name,
        search_key=fold(f"{name} {varenr}"),
        **fields,
    )


def page_tree(response):
    return lxml_html.fromstring(response.content.decode())


def text_of(element) -> str:
    """The text of an element with runs of spaces and newlines as one space (not NBSP)."""
    return re.sub(r"[ \t\r\n]+", " ", element.text_content()).strip()
