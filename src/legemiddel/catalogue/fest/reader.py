"""Opening a FEST file (``.xml`` or ``.zip``) and streaming its entries with lxml's pull parser."""

from __future__ import annotations

import contextlib
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from lxml import etree

from legemiddel.catalogue.fest.entries import Catalogue, FestFileError, Header, ParsedEntry
from legemiddel.catalogue.fest.parsing import ENTRY_TAGS, parse_entry
from legemiddel.catalogue.fest.values import local_name, parse_datetime
from legemiddel.lib.tabular import RowError

M30_NS = "http://www.kith.no/xmlstds/eresept/m30/2014-12-01"
CHUNK = 1024 * 1024
# A zip member may not unpack to more than this, nor compress better than the ratio: the real
# file is ~118 MB at a ratio of ~8, so these only stop zip bombs.
MAX_XML_BYTES = 2 * 1024**3
MAX_ZIP_RATIO = 100

Progress = Callable[[int, int], None]


class _CountingReader:
    """Reads a binary stream, counting bytes for progress and refusing to pass ``limit``."""

    def __init__(self, raw: IO[bytes], total: int, limit: int) -> None:
        self.raw = raw
        self.total = total
        self.limit = limit
        self.done = 0

    def read(self, size: int) -> bytes:
        data = self.raw.read(size)
        self.done += len(data)
        if self.done > self.limit:
            raise FestFileError(
                "Zip-filen pakker ut til mer enn den oppgir (mulig zip-bombe); den er avvist."
            )
        return data


@contextlib.contextmanager
def open_fest(path: Path) -> Iterator[_CountingReader]:
    """Open a FEST ``.xml`` or a ``.zip`` holding exactly one ``.xml``, as a counted stream."""
    if zipfile.is_zipfile(path):
        try:
            archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise FestFileError(f"Zip-filen kan ikke åpnes: {exc}.") from exc
        with archive:
            members = [
                m
                for m in archive.infolist()
                if not m.is_dir() and m.filename.lower().endswith(".xml")
            ]
            if not members:
                raise FestFileError("Zip-filen inneholder ingen XML-fil.")
            if len(members) > 1:
                names = ", ".join(m.filename for m in members[:5])
                raise FestFileError(
                    f"Zip-filen inneholder {len(members)} XML-filer ({names}); "
                    "last opp én FEST-fil om gangen."
                )
            member = members[0]
            ratio = member.file_size / max(member.compress_size, 1)
            if member.file_size > MAX_XML_BYTES or ratio > MAX_ZIP_RATIO:
                raise FestFileError(
                    f"{member.filename} pakker ut til {member.file_size:,} byte "
                    f"(forhold {ratio:.0f}:1); det er ikke en FEST-fil, men ser ut som en "
                    "zip-bombe. Den er avvist.".replace(",", " ")
                )
            try:
                with archive.open(member) as raw:
                    yield _CountingReader(raw, member.file_size, member.file_size)
            except zipfile.BadZipFile as exc:
                raise FestFileError(f"Zip-filen er skadet: {exc}.") from exc
        return
    size = path.stat().st_size
    with path.open("rb") as raw:
        if raw.read(4) == b"PK\x03\x04":
            # Starts as a zip but has no directory at the end: a download that was cut off.
            raise FestFileError(
                "Zip-filen er skadet eller avkortet (mangler innholdsfortegnelsen). "
                "Last ned FEST-filen på nytt."
            )
        raw.seek(0)
        yield _CountingReader(raw, size, MAX_XML_BYTES)


def read_fest(
    stream: _CountingReader, *, progress: Progress | None = None
) -> Iterator[Header | Catalogue | ParsedEntry | RowError]:
    """Yield the file's :class:`Header` first, then every entry we use, and a
    :class:`Catalogue` marker as each ``Kat*`` ends.

    Entries with a problem are yielded as :class:`RowError` instead, so the caller sees all
    problems in one pass. Whole-file problems raise :class:`FestFileError`.
    """
    first = stream.read(CHUNK)
    if not first.strip():
        raise FestFileError("Filen er tom.")
    _check_root(first)
    # Every element in the M30 namespace: FEST, HentetDato, the Kat* catalogues, their Oppf*
    # entries and the entries' Id/Tidspunkt/Status. Entry bodies live in another namespace and
    # are read from their Oppf* parent. Entries of catalogues we do not use are dropped unread.
    parser = etree.XMLPullParser(
        events=("end",),
        tag=f"{{{M30_NS}}}*",
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
    )
    header_seen = False
    chunk = first
    while True:
        try:
            if chunk:
                parser.feed(chunk)
            else:
                parser.close()
        except etree.XMLSyntaxError as exc:
            raise FestFileError(_syntax_message(exc, truncated=not chunk)) from exc
        for _event, elem in parser.read_events():
            name = local_name(elem.tag)
            if name == "HentetDato":
                retrieved = parse_datetime(elem.text)
                if retrieved is None:
                    raise FestFileError(
                        f"HentetDato på linje {elem.sourceline} er ikke et tidspunkt "
                        f"(«{(elem.text or '').strip()}»)."
                    )
                header_seen = True
                yield Header(retrieved)
                continue
            if not header_seen:
                raise FestFileError(
                    "Filen mangler HentetDato før katalogene; den er ikke en FEST M30-fil."
                )
            if name.startswith("Kat"):
                yield Catalogue(name)
                elem.clear()
                continue
            if not name.startswith("Oppf"):
                continue
            if name in ENTRY_TAGS:
                yield from parse_entry(name, elem)
            # Drop what has been read: the element, and its earlier siblings.
            elem.clear()
            parent = elem.getparent()
            if parent is not None:
                while elem.getprevious() is not None:
                    del parent[0]
        if progress is not None:
            progress(stream.done, stream.total)
        if not chunk:
            break
        chunk = stream.read(CHUNK)
    if not header_seen:
        raise FestFileError("Filen mangler HentetDato; den er ikke en FEST M30-fil.")


def _check_root(first: bytes) -> None:
    probe = etree.XMLPullParser(events=("start",), resolve_entities=False, no_network=True)
    error: etree.XMLSyntaxError | None = None
    try:
        probe.feed(first)
    except etree.XMLSyntaxError as exc:
        error = exc  # after the root element, a syntax error is reported by read_fest
    event = next(iter(probe.read_events()), None)
    if event is None and error is not None:
        raise FestFileError(f"Filen er ikke XML: {error.msg} (linje {error.lineno}).") from error
    if event is None:
        raise FestFileError("Filen er ikke XML: fant ikke noe rotelement.")
    root = etree.QName(event[1])
    if root.localname != "FEST":
        raise FestFileError(
            f"Rotelementet er «{root.localname}», ikke «FEST»; dette er ikke en FEST-fil."
        )
    if root.namespace != M30_NS:
        raise FestFileError(
            f"FEST-filen har navnerommet «{root.namespace or 'ingen'}»; vi leser M30 ({M30_NS})."
        )


def _syntax_message(exc: etree.XMLSyntaxError, *, truncated: bool) -> str:
    if truncated or "end of data" in str(exc.msg) or "Premature end" in str(exc.msg):
        return (
            f"Filen slutter midt i XML-en (linje {exc.lineno}); den er trolig avkortet. "
            "Last ned FEST-filen på nytt."
        )
    return f"Feil i XML på linje {exc.lineno}: {exc.msg}."
