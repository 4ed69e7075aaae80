"""The Norwegian bokmål catalogue: complete, compiled, and used by the pages.

Regenerate and compile after changing UI strings (from src/legemiddel)::

    LEGEMIDDEL_MODE=demo ../../.venv/bin/django-admin makemessages -l nb \
        --settings=legemiddel.config.settings --pythonpath=.. -i "*/migrations/*"
    msgfmt -c -o locale/nb/LC_MESSAGES/django.mo locale/nb/LC_MESSAGES/django.po
"""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings

LC_MESSAGES = Path(settings.LOCALE_PATHS[0]) / "nb" / "LC_MESSAGES"
PO_FILE = LC_MESSAGES / "django.po"
MO_FILE = LC_MESSAGES / "django.mo"

_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$')


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    line: int = 0


def parse_po(path: Path) -> list[Entry]:
    """A tiny .po reader: enough for the files makemessages writes (obsolete #~ entries skipped)."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int] | None = None

    def value(quoted: str) -> str:
        return ast.literal_eval(quoted)

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            entry, target = None, None
            continue
        if line.startswith("#~"):
            continue
        if entry is None:
            entry = Entry(line=number)
            entries.append(entry)
        if line.startswith("#,"):
            entry.flags.update(f.strip() for f in line[2:].split(",") if f.strip())
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            assert target is not None, f"{path}:{number}: continuation without a keyword"
            name, index = target
            if name == "msgstr":
                entry.msgstr[index] += value(line)
            else:
                setattr(entry, name, getattr(entry, name) + value(line))
        else:
            match = _KEYWORD.match(line)
            assert match, f"{path}:{number}: cannot read {line!r}"
            keyword, index, quoted = match.groups()
            if keyword.startswith("msgstr"):
                position = int(index or 0)
                while len(entry.msgstr) <= position:
                    entry.msgstr.append("")
                entry.msgstr[position] = value(quoted)
                target = ("msgstr", position)
            else:
                setattr(entry, keyword, value(quoted))
                target = (keyword, 0)
    return [e for e in entries if e.msgstr]


@pytest.fixture(scope="module")
def po_entries() -> list[Entry]:
    return parse_po(PO_FILE)


@pytest.fixture(scope="module")
def messages(po_entries) -> list[Entry]:
    """The translatable entries, without the header."""
    return [e for e in po_entries if e.msgid]


def test_the_header_declares_bokmal_utf8_and_two_plural_forms(po_entries):
    header = next(e for e in po_entries if not e.msgid).msgstr[0]
    assert "Language: nb\n" in header
    assert "charset=UTF-8" in header
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header
    assert len(po_entries) > 100


def test_every_message_is_translated_and_none_is_fuzzy(po_entries, messages):
    fuzzy = [e.msgid for e in po_entries if "fuzzy" in e.flags]
    assert fuzzy == []
    untranslated = [e.msgid for e in messages if not all(s.strip() for s in e.msgstr)]
    assert untranslated == []
    wrong_plural_count = [e.msgid for e in messages if e.msgid_plural and len(e.msgstr) != 2]
    assert wrong_plural_count == []


def test_translations_keep_the_placeholders(messages):
    placeholder = re.compile(r"%\(\w+\)[sd]|\{\{.*?\}\}")
    for e in messages:
        sources = [e.msgid] + [e.msgid_plural or e.msgid] * (len(e.msgstr) - 1)
        for source, translation in zip(sources, e.msgstr, strict=True):
            assert sorted(placeholder.findall(translation)) == sorted(
                placeholder.findall(source)
            ), e.msgid


def test_the_compiled_catalogue_matches_the_po_file(messages):
    assert MO_FILE.exists(), "django.mo is missing: compile the catalogue"
    with MO_FILE.open("rb") as fp:
        catalog = gettext.GNUTranslations(fp)._catalog
    stale: list[str] = []
    for e in messages:
        msgid = f"{e.msgctxt}\x04{e.msgid}" if e.msgctxt is not None else e.msgid
        if e.msgid_plural is None:
            if catalog.get(msgid) != e.msgstr[0]:
                stale.append(e.msgid)
        elif [catalog.get((msgid, i)) for i in range(len(e.msgstr))] != e.msgstr:
            stale.append(e.msgid)
    assert stale == [], "django.mo is out of date with django.po: recompile the catalogue"


@pytest.mark.django_db
def test_the_login_page_is_in_bokmal_by_default(client):
    page = client.get("/logg-inn/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Logg inn" in html
    assert "Log in" not in html


@pytest.mark.django_db
def test_the_login_page_follows_the_language_cookie(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/logg-inn/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Log in" in html
    assert "Logg inn" not in html
