"""Reading the latest commit: a `Snapshot` (one Whoosh searcher and what is derived from its commit),
reused until the index changes. A snapshot answers the statistics query expansion asks for
(`bgsearch.query.statistics.Statistics`)."""

from __future__ import annotations

import hashlib
import pickle
import struct
import threading
import zlib
import weakref
from bisect import bisect_right
from collections.abc import Collection, Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from whoosh import query as wq
from whoosh.codec.whoosh3 import STORED_COLUMN, W3TermInfo, W3TermsReader
from whoosh.reading import TermNotFound
from whoosh.scoring import BM25F, BM25FScorer
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

from ..analysis.analyzer import BulgarianAnalyzer
from ..caching import BoundedCache
from ..errors import BgsearchError, IndexVersionError, describe
from ..edits import nearest
from ..fields import ID_FIELD, Schema
from .columns import Column, column_of
from .inflate import inflate
from .postings import term_positions
from .store import Store

__all__ = ["Reader", "Snapshot", "Searcher", "WEIGHTING"]

class _UnboundedScorer(BM25FScorer):
    """Whoosh's BM25F scorer, without the score bounds Whoosh's top-k collector skips and prunes by.
    Each term's bounds are right, but Whoosh's compound matchers misuse them: its Or skips one part's
    blocks by the other part's current block quality and then scores a document it meets later in
    the other part without the skipped part (a word in the body and the title: its title score), and
    its Or and And, told a minimum score, rebuild themselves into "this part, maybe that one" forms
    that lost matches too. Either way a document fell off a first page it belonged on (`ал NOT хран`,
    `срок (мерки OR закон)`: tests/test_postings.py). Queries ranked from whole postings skip by
    exact scores of their own (`postings.ArrayMatcher`)."""

    def supports_block_quality(self) -> bool:
        return False

    def max_quality(self) -> float:
        return _NO_BOUND

    def block_quality(self, matcher: Any) -> float:
        return _NO_BOUND


_NO_BOUND = 1e30  # finite: Whoosh subtracts bounds from each other


class _ExactBM25F(BM25F):
    def supports_block_quality(self) -> bool:
        return False

    def scorer(self, searcher: Any, fieldname: str, text: Any, qf: float = 1) -> Any:
        if not searcher.schema[fieldname].scorable:
            return super().scorer(searcher, fieldname, text, qf)
        # BM25FScorer's own set-up, with the average field length read once per commit: Whoosh sums
        # it over the segments for each scorer, and a query makes one per term and segment.
        scorer = _UnboundedScorer.__new__(_UnboundedScorer)
        parent = searcher.get_parent()
        scorer.idf = parent.idf(fieldname, text)
        scorer.avgfl = _average_lengths(parent, fieldname) or 1
        scorer.B = self._field_B.get(fieldname, self.B)
        scorer.K1 = self.K1
        scorer.qf = qf
        scorer.setup(searcher, fieldname, text)
        return scorer


_AVERAGE_LENGTHS: weakref.WeakKeyDictionary[Any, dict[str, float]] = weakref.WeakKeyDictionary()


def _average_lengths(searcher: Any, fieldname: str) -> float:
    """A commit's (`searcher`'s) average length of `fieldname`, as Whoosh computes it."""
    per_field = _AVERAGE_LENGTHS.setdefault(searcher, {})
    if fieldname not in per_field:
        per_field[fieldname] = searcher.avg_field_length(fieldname)
    return per_field[fieldname]


# BM25F; titles are short, so their length matters less (smaller B).
WEIGHTING = _ExactBM25F(B=0.75, K1=1.2, title_B=0.5)
_PER_COMMIT_LIMIT = 256
# Raised by Whoosh (and zlib, struct, pickle beneath it) on bytes that are not what it wrote (a torn
# block decodes to None where a number belongs: TypeError); Whoosh also raises plain Exception ("Block
# tag error"). The message keeps the original type and text, for a bug that would look the same.
_DAMAGE = (struct.error, zlib.error, EOFError, pickle.UnpicklingError, UnicodeError, ValueError, LookupError,
           ArithmeticError, TypeError, AttributeError, MemoryError, TermNotFound)
_TERM_INFO_LIMIT = 100_000  # cached term entries per segment
# A segment's terms that start with a Latin letter, per field, read once (a segment never changes):
# a Cyrillic word's guessed English spellings (Самсунг → samsung, samsang, …) are looked up in every
# segment, and most are in none. A segment with more such terms than the limit is probed term by term.
_LATIN_VOCABULARIES: BoundedCache[tuple[str, str], frozenset[bytes] | None] = BoundedCache(256)
_LATIN_VOCABULARY_LIMIT = 20_000
_LATIN_FIRST = frozenset(range(ord("a"), ord("z") + 1))  # the first bytes of such terms


def _starts_latin(tbytes: bytes) -> bool:
    """Whether a term is one the Latin vocabularies hold (it starts with a to z)."""
    return bool(tbytes) and tbytes[0] in _LATIN_FIRST


class Reader:
    """The latest commit of an index directory, as a `Snapshot`; a new one once the index changes
    (a commit, or a rebuild that replaced the index). Any number of threads may share a Reader."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._current: Snapshot | None = None
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            if self._current is not None:
                self._current.close()
                self._current = None

    def snapshot(self) -> Snapshot:
        """The latest commit; a search holds it (`with snapshot:`) from its first look-up to its last."""
        with self._lock:
            for attempt in range(3):
                try:
                    return self._latest()
                except Exception:
                    # A rebuild replaced the index between our look at bgsearch.json and at Whoosh's
                    # files (which it deleted): look again.
                    if attempt == 2 or not self.store.replaced():
                        raise
            raise AssertionError("unreachable")

    def _latest(self) -> Snapshot:
        current = self._current
        if self.store.replaced():
            self.store.reopen()
            current = None
        elif current is not None and not current.searcher.up_to_date():
            current = None
        if current is None:
            # The one before is closed when the last search or result that uses it is gone.
            current = self._current = Snapshot(self.store.whoosh_index.searcher(weighting=WEIGHTING), self.store.path,
                                               self.store.schema, f"{self.store.path}\0{self.store.name}")
        return current

    def searcher(self) -> Searcher:
        """A Whoosh searcher over the latest commit (for one thread at a time)."""
        return self.snapshot().searcher

    def doc_count(self) -> int:
        """The documents of the latest commit."""
        snapshot = self.snapshot()
        with snapshot:
            return int(snapshot.searcher.doc_count())

    def segment_count(self) -> int:
        self.snapshot()  # follows a rebuild first
        return len(self.store.whoosh_index._segments())


class _InflatedStoredFields:
    """A segment's stored-field column, where Whoosh's per-document reader keeps it, opened on first
    use (a snapshot of many segments would otherwise open each at creation: ~0.3 ms a segment), and
    inflated by libdeflate (`inflate`) instead of zlib's `decompress`."""

    def __init__(self, perdoc: Any) -> None:
        self._perdoc = perdoc
        self._column: Any = None

    def _opened(self) -> Any:
        column = self._column
        if column is None:  # two threads may both open it: the same reader either way
            column = self._perdoc.column_reader("_stored", STORED_COLUMN)  # pickles of compressed bytes
            if hasattr(getattr(column, "_child", None), "_decompress"):
                column._child._decompress = inflate
            self._column = column
        return column

    def __getitem__(self, docnum: int) -> Any:
        return self._opened()[docnum]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._opened())

    def __len__(self) -> int:
        return len(self._opened())


class Snapshot:
    """One commit as a Whoosh searcher sees it, with what is derived from it (term entries, the
    lexicon by length, documents in date order). Whoosh reads its files by seek-then-read, so one
    thread at a time uses a snapshot: `with snapshot:` holds its lock."""

    def __init__(self, searcher: Searcher, path: Path, schema: Schema, index_key: str) -> None:
        self.searcher = searcher
        self.path = path
        self.schema = schema
        self.index_key = index_key  # names the index among others in this process (per-segment caches)
        self.body = schema.body
        self.text_fields = tuple(spec.name for spec in schema.text_fields)
        # The analyzer the index was built with, as its schema records it.
        self.analyzer: BulgarianAnalyzer = searcher.schema[self.body].analyzer
        self._term_tables: list[TermInfoCache] = []
        for leaf, _ in searcher.leaf_searchers():
            reader = leaf.reader()
            if hasattr(reader, "_terms"):  # a segment (an empty index has none)
                segment = reader.segment()
                reader._terms = TermInfoCache(reader._terms, f"{index_key}\0{segment.segment_id()}")
                self._term_tables.append(reader._terms)
                perdoc = reader._perdoc
                if "_stored" not in perdoc._readers and perdoc.has_column("_stored"):
                    perdoc._readers["_stored"] = _InflatedStoredFields(perdoc)
        self.lock = threading.RLock()
        self.per_commit: BoundedCache[Any, Any] = BoundedCache(_PER_COMMIT_LIMIT)
        self._lexicon_by_length: dict[int, list[str]] | None = None
        self._closer = weakref.finalize(self, searcher.close)

    def __enter__(self) -> Snapshot:
        self.lock.acquire()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, traceback: Any) -> None:
        self.lock.release()
        if (isinstance(error, _DAMAGE) and not isinstance(error, BgsearchError)) or type(error) is Exception:
            # What Whoosh raises when the bytes it decodes are not what it wrote.
            raise IndexVersionError(
                f"{self.path} is damaged ({describe(error)}): run `bgsearch check --index "
                f"{self.path}`, and rebuild it with `bgsearch index --rebuild --index {self.path} PATH...`"
            ) from None

    def close(self) -> None:
        with self.lock:
            self._closer()

    def document(self, doc_id: str) -> dict[str, Any] | None:
        """The stored fields of the document with this id, or None."""
        with self.lock:
            stored = self.searcher.document(**{ID_FIELD: doc_id})
        return dict(stored) if stored else None

    # -- statistics for query expansion ----------------------------------------------------------

    def prefetch(self, terms: Iterable[str]) -> None:
        """Nothing to do: a local lookup costs no round trip."""

    def doc_frequency(self, term: str) -> int:
        """How many documents have `term` (an analyzed term) in a default field (an upper bound).
        Read from each segment's term table directly: the expansion asks this of every reading of
        every word, and Whoosh's reader would check the field and encode the term again in each
        segment (a third of the cost of a first-time 3-word query at 300k documents)."""
        total = 0
        for name in self.text_fields:
            try:
                tbytes = self.searcher.schema[name].to_bytes(term)
            except ValueError:  # not encodable (a lone surrogate): no document has it
                continue
            if _starts_latin(tbytes):
                latin = self._latin_terms(name)
                if latin is not None and tbytes not in latin:
                    continue
            for terms in self._term_tables:
                try:
                    info = terms.info(name, tbytes)
                except KeyError:  # a field none of the segment's documents has
                    continue
                if info is not None:
                    total += info.doc_frequency()
        return total

    def _latin_terms(self, fieldname: str) -> frozenset[bytes] | None:
        """Every segment's `latin_terms` of the field, together (None: a segment does not keep
        them); kept per commit."""
        key = ("latin terms", fieldname)
        if key not in self.per_commit:
            per_segment = [terms.latin_terms(fieldname) for terms in self._term_tables]
            kept = [latin for latin in per_segment if latin is not None]
            self.per_commit.put(key, frozenset().union(*kept) if len(kept) == len(per_segment) else None)
        found: frozenset[bytes] | None = self.per_commit[key]
        return found

    def similar_terms(self, term: str, max_distance: int, limit: int = 5) -> list[tuple[int, str]]:
        """Indexed terms within `max_distance` edits of `term` (an adjacent swap is one edit), as
        (distance, term), nearest first, then most frequent."""
        by_length = self._lexicon()
        found: list[tuple[int, int, str]] = []
        for length in range(len(term) - max_distance, len(term) + max_distance + 1):
            for distance, other in nearest(term, by_length.get(length, ()), max_distance, 4 * limit):
                found.append((distance, -self.doc_frequency(other), other))
        return [(distance, other) for distance, _, other in sorted(found)[:limit]]

    def texts_with(self, term: str, limit: int) -> Iterator[str]:
        """The body texts of up to `limit` documents whose body has `term`."""
        for docnum in islice(self.searcher.docs_for_query(wq.Term(self.body, term)), limit):
            yield self.searcher.stored_fields(docnum).get(self.body, "")

    def _lexicon(self) -> dict[int, list[str]]:
        """The alphabetic terms of the default fields, by length; cached per commit."""
        reader = self.searcher.reader()
        if self._lexicon_by_length is None:
            by_length: dict[int, list[str]] = {}
            for name in self.text_fields:
                for raw in reader.lexicon(name):
                    term = raw.decode("utf-8")
                    if term.isalpha():
                        by_length.setdefault(len(term), []).append(term)
            for length, terms in by_length.items():
                by_length[length] = sorted(set(terms))
            self._lexicon_by_length = by_length
        return self._lexicon_by_length

    # -- for searching -----------------------------------------------------------------------------

    def column(self, name: str) -> Column:
        """The values of a keyword, number, date or boolean field per document, cached per commit."""
        key = ("column", name)
        cache = self.per_commit
        if key not in cache:
            cache.put(key, column_of(self.searcher, self.schema.field(name), self.index_key))
        column: Column = cache[key]
        return column

    def body_positions(self, docnum: int, terms: Collection[str], reach: int) -> dict[str, list[int]]:
        """Where each of `terms` that document `docnum`'s body has stands in it (`highlight.Locate`:
        every position, whatever `reach`)."""
        # Read from the document's own segment: the whole index's postings would skip through every
        # segment before it, block by block.
        leaves = self.searcher.leaf_searchers()
        leaf, offset = leaves[bisect_right([offset for _, offset in leaves], docnum) - 1]
        reader, docnum = leaf.reader(), docnum - offset
        found = {}
        for term in terms:
            positions = term_positions(reader, self.body, term, docnum)
            if positions:
                found[term] = positions
        return found


_UNREAD = object()  # a term not looked up yet (None: looked up, not in the segment)
_POINTER = struct.Struct("!Iq")  # a hash table slot: the key's hash, where its record is (0: empty)
_LENGTHS = struct.Struct("!ii")  # a record's key and value lengths, before them


def _probe(table: Any, buffer: memoryview, key: bytes) -> W3TermInfo | None:
    """The entry of `key` in a Whoosh term table (`HashReader` with MD5 hashes, its file mapped as
    `buffer`), or None: its `ranges_for_key`, reading the slots in place rather than as copies, and
    each key's hash computed once for all segments (a first-time query looks each of its terms up
    in every segment, and most segments lack most of them)."""
    keyhash = _KEY_HASHES.get(key)
    if keyhash is None:
        keyhash = _KEY_HASHES.put(key, int.from_bytes(hashlib.md5(key, usedforsecurity=False).digest()[12:], "big"))
    start, slots = table.tables[keyhash & 255]
    if not slots:
        return None
    slot = (keyhash >> 8) % slots
    for _ in range(slots):
        slot_hash, record = _POINTER.unpack_from(buffer, start + slot * _POINTER.size)
        if not record:
            return None
        if slot_hash == keyhash:
            key_length, value_length = _LENGTHS.unpack_from(buffer, record)
            key_at = record + _LENGTHS.size
            if key_length == len(key) and buffer[key_at : key_at + key_length] == key:
                return term_info(bytes(buffer[key_at + key_length : key_at + key_length + value_length]))
        slot = slot + 1 if slot + 1 < slots else 0
    return None


_KEY_HASHES: BoundedCache[bytes, int] = BoundedCache(100_000)
_TERM_RECORD = struct.Struct("!BfIBBfIIqi")  # W3TermInfo's fields, then its postings' offset and length
_NO_ID = 0xFFFFFFFF


def term_info(raw: bytes) -> W3TermInfo:
    """`W3TermInfo.from_bytes(raw)`, the same object, built in one step when its postings are not
    inline (the look-up of a common term in every segment made one each: ~3x faster)."""
    if len(raw) != _TERM_RECORD.size or raw[0]:
        return W3TermInfo.from_bytes(raw)
    _, weight, df, shortest, longest, top, first, last, offset, length = _TERM_RECORD.unpack(raw)
    info = object.__new__(W3TermInfo)
    info.__dict__.update(_weight=weight, _df=df, _minlength=byte_to_length(shortest),
                         _maxlength=byte_to_length(longest), _maxweight=top,
                         _minid=None if first == _NO_ID else first, _maxid=None if last == _NO_ID else last,
                         _offset=offset, _length=(length,), _inlined=None)
    return info


class TermInfoCache:
    """A segment's term table that reads each term's entry from disk once per commit.

    A query looks a term up in every segment several times (its size to order a matcher tree,
    its statistics, its postings), each a hash-table probe in Python; a cached entry is a dict hit.
    Wraps Whoosh's term reader (a private attribute of its segment reader).
    """

    def __init__(self, terms: Any, segment_key: str | None = None) -> None:
        self._wrapped = terms
        self.segment_key = segment_key  # names the segment among all in this process; None: not cached
        self.infos: BoundedCache[tuple[str, bytes], Any] = BoundedCache(_TERM_INFO_LIMIT)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._wrapped, name)

    def info(self, fieldname: str, tbytes: bytes) -> Any:
        """The term's entry, or None when the segment does not have the term."""
        key = (fieldname, tbytes)
        info = self.infos.get(key, _UNREAD)
        if info is not _UNREAD:
            return info
        # Whoosh's term_info, without the exception it raises for a term the segment lacks (most
        # look-ups of a query's readings and spellings are such).
        info = None
        if isinstance(self._wrapped, W3TermsReader):
            if _starts_latin(tbytes):
                latin = self.latin_terms(fieldname)
                if latin is not None and tbytes not in latin:
                    return None
            table = self._wrapped._tindex
            key_bytes = self._wrapped._keycoder(fieldname, tbytes)
            buffer = getattr(table.dbfile, "_buf", None)
            if isinstance(buffer, memoryview) and table.hashtype == 0:
                info = _probe(table, buffer, key_bytes)
            else:
                for start, length in table.ranges_for_key(key_bytes):
                    info = term_info(table.dbfile.get(start, length))
                    break
        else:
            try:
                info = self._wrapped.term_info(fieldname, tbytes)
            except TermNotFound:
                pass
        return self.infos.put(key, info)

    def __contains__(self, term: tuple[str, bytes]) -> bool:
        return self.info(*term) is not None

    def latin_terms(self, fieldname: str) -> frozenset[bytes] | None:
        """The segment's terms of `fieldname` that start with a Latin letter (read once per segment),
        or None: more than _LATIN_VOCABULARY_LIMIT, or a table not kept in order."""
        table: Any = getattr(self._wrapped, "_tindex", None)
        if self.segment_key is None or not hasattr(table, "keys_from"):
            return None
        cache_key = (self.segment_key, fieldname)
        found = _LATIN_VOCABULARIES.get(cache_key, _UNREAD)
        if found is not _UNREAD:
            return found  # type: ignore[return-value]
        prefix = self._wrapped._keycoder(fieldname, b"")  # a field the segment lacks: one no key has
        end = prefix + b"{"  # the byte after "z"
        terms: list[bytes] = []
        for key in table.keys_from(prefix + b"a"):
            if key >= end:
                break
            if len(terms) == _LATIN_VOCABULARY_LIMIT:
                return _LATIN_VOCABULARIES.put(cache_key, None)
            terms.append(key[len(prefix):])
        return _LATIN_VOCABULARIES.put(cache_key, frozenset(terms))

    def term_info(self, fieldname: str, tbytes: bytes) -> Any:
        info = self.info(fieldname, tbytes)
        if info is None:
            raise TermNotFound(f"{fieldname}:{tbytes!r}")
        return info

    def _present(self, fieldname: str, tbytes: bytes) -> Any:
        info = self.info(fieldname, tbytes)
        if info is None:
            raise KeyError(tbytes)  # what the wrapped table raises; the reader turns it into 0
        return info

    def doc_frequency(self, fieldname: str, tbytes: bytes) -> int:
        return self._present(fieldname, tbytes).doc_frequency()

    def frequency(self, fieldname: str, tbytes: bytes) -> float:
        return self._present(fieldname, tbytes).weight()

    def matcher(self, fieldname: str, tbytes: bytes, format_: Any, scorer: Any = None) -> Any:
        terms = self._wrapped
        return terms._codec.postings_reader(
            terms._postfile, self.term_info(fieldname, tbytes), format_, term=(fieldname, tbytes), scorer=scorer
        )
