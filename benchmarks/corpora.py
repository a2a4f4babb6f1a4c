"""Benchmark corpora: real Bulgarian text from ``shared/data/corpora/`` as bgsearch documents.

Each loader yields plain dicts (``id``, ``body``, and ``title``, ``date`` (ISO), ``source``, ``url``
where the corpus has them), ready for ``Index.add_documents``. ``limit`` takes a prefix, so the
same ``limit`` always gives the same documents.

* ``laws``: ``laws.jsonl.gz`` (parliament.bg laws), each law split into *units* at its article
  headings (``Чл. N`` and ``§ N`` at the start of a line; see :func:`split_units`). ~54k units.
* ``news``: ``fakenews-validation.jsonl.gz`` (761 news articles; ``published`` gives the date).
* ``blurbs``: ``chitanka-annotations.jsonl.gz`` (9,253 book blurbs; no title, no date).

Nothing here imports bgsearch, so other harnesses (e.g. a ranking evaluation) can reuse the laws
splitter cheaply.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

__all__ = [
    "CORPORA",
    "DEFAULT_SHARED",
    "DataMissingError",
    "Unit",
    "corpus_path",
    "data_dir",
    "iso_date",
    "law_units",
    "load_corpus",
    "load_wordfreq",
    "split_units",
]

DEFAULT_SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPORA = {
    "laws": "corpora/laws.jsonl.gz",
    "news": "corpora/fakenews-validation.jsonl.gz",
    "blurbs": "corpora/chitanka-annotations.jsonl.gz",
}
WORDFREQ = "corpora/wordfreq-bg.tsv"

# An article heading: "Чл. 12.", "Чл. 12а.", "§ 3.", "§ 3а" (sometimes with no full stop, alone on its
# line), at the start of a line. A reference ("Чл. 5, ал. 2 ...") is followed by a comma, so it is
# not a heading; quoted amendment text ("“Чл. 2а. ...") does not start the line, so it stays inside
# the unit that amends it.
_HEADING = re.compile(r"^[ \t]*((?:Чл\.|§)[ \t]*\d+[а-я]*)\.?(?=\s|$)", re.MULTILINE)
_DMY = re.compile(r"(\d{1,2})[./](\d{1,2})[./](\d{4})")


class DataMissingError(Exception):
    """The shared data (or one file of it) is not there."""


@dataclass(frozen=True)
class Unit:
    """One unit of a law: its heading ("" for the text before the first heading) and text."""

    number: int
    heading: str
    text: str


def data_dir(override: str | Path | None = None) -> Path:
    """``shared/data`` (next to the repository), or ``override``; raises DataMissingError if absent."""
    path = Path(override) if override is not None else DEFAULT_SHARED / "data"
    if not path.is_dir():
        raise DataMissingError(f"shared data not found at {path} (pass --data-dir DIR)")
    return path


def corpus_path(name: str, data: Path) -> Path:
    if name not in CORPORA:
        raise ValueError(f"unknown corpus {name!r}: choose from {', '.join(CORPORA)}")
    path = data / CORPORA[name]
    if not path.is_file():
        raise DataMissingError(f"corpus file not found: {path}")
    return path


def iso_date(value: str | None) -> str | None:
    """``16/02/2006`` or ``2017-05-17 09:57:00`` → ``2006-02-16`` / ``2017-05-17``; None if unreadable."""
    if not value:
        return None
    value = value.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value[:10]):
        return value[:10]
    m = _DMY.fullmatch(value)
    if m:
        day, month, year = (int(g) for g in m.groups())
        if 1 <= month <= 12 and 1 <= day <= 31:
            return f"{year:04d}-{month:02d}-{day:02d}"
    return None


def split_units(text: str) -> list[Unit]:
    """Split a law's text at its article headings.

    The text before the first heading (the law's title and promulgation note) is unit 0 with an
    empty heading, if it has any non-blank text. Each heading starts a unit that runs up to the
    next heading; the heading line stays in the unit's text. Units are numbered from 0 in order,
    blank ones skipped (numbers stay stable: they count the pieces, blank or not).
    """
    starts = [(m.start(), m.group(1)) for m in _HEADING.finditer(text)]
    pieces: list[tuple[int, int, str]] = []
    if not starts or starts[0][0] > 0:
        pieces.append((0, starts[0][0] if starts else len(text), ""))
    for i, (start, heading) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(text)
        pieces.append((start, end, re.sub(r"[ \t]+", " ", heading)))
    units = []
    for number, (start, end, heading) in enumerate(pieces):
        body = text[start:end].strip()
        if body:
            units.append(Unit(number, heading, body))
    return units


def law_units(law: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The documents of one law record (``id, title, date, url, text``)."""
    title = (law.get("title") or "").strip()
    date = iso_date(law.get("date"))
    for unit in split_units(law.get("text") or ""):
        doc: dict[str, Any] = {
            "id": f"{law['id']}-{unit.number}",
            "title": f"{title} — {unit.heading}" if unit.heading and title else (title or unit.heading or None),
            "body": unit.text,
            "source": "parliament.bg",
        }
        if date:
            doc["date"] = date
        if law.get("url"):
            doc["url"] = law["url"]
        yield doc


def _records(path: Path) -> Iterator[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def _laws(path: Path) -> Iterator[dict[str, Any]]:
    for law in _records(path):
        yield from law_units(law)


def _news(path: Path) -> Iterator[dict[str, Any]]:
    for number, rec in enumerate(_records(path)):
        body = (rec.get("content") or "").strip()
        if not body:
            continue
        doc: dict[str, Any] = {"id": f"news-{rec.get('id', number)}", "body": body, "source": "fakenews"}
        if rec.get("title"):
            doc["title"] = rec["title"].strip()
        date = iso_date(rec.get("date") or rec.get("published"))
        if date:
            doc["date"] = date
        if rec.get("url"):
            doc["url"] = rec["url"]
        yield doc


def _blurbs(path: Path) -> Iterator[dict[str, Any]]:
    for number, rec in enumerate(_records(path)):
        body = (rec.get("text") or "").strip()
        if not body:
            continue
        book = rec.get("book_id") or str(number)
        yield {
            "id": f"book-{book}",
            "body": body,
            "source": "chitanka",
            "url": f"https://chitanka.info/book/{book}",
        }


_LOADERS = {"laws": _laws, "news": _news, "blurbs": _blurbs}


def load_corpus(name: str, data: Path, limit: int | None = None) -> list[dict[str, Any]]:
    """The first ``limit`` documents (all when None) of corpus ``name``."""
    docs = _LOADERS[name](corpus_path(name, data))
    return list(islice(docs, limit) if limit is not None else docs)


def load_wordfreq(data: Path) -> list[tuple[str, float]]:
    """``(word, frequency)`` pairs, most frequent first, from ``wordfreq-bg.tsv``."""
    path = data / WORDFREQ
    if not path.is_file():
        raise DataMissingError(f"word frequency list not found: {path}")
    pairs = []
    for line in path.read_text("utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        word, _, freq = line.partition("\t")
        try:
            pairs.append((word, float(freq)))
        except ValueError:
            continue
    pairs.sort(key=lambda p: -p[1])
    return pairs
