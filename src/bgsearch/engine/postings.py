"""Postings read whole into arrays, and matchers that rank from them.

Whoosh walks postings one document at a time in Python (~1-2 µs a document per term, more for
unions and phrases). For the queries that visit many documents — phrases of common words, and the
any-word queries over several words — this module reads each term's postings in a segment whole
(from the segment's `.ids` file where it holds the term, see `docids`; kept per segment reader, so
per commit), scores every document at once with numpy exactly as
Whoosh's BM25F scorer would, and hands Whoosh's top-k collector a matcher whose block quality is
each document's exact score: the collector then skips every document that cannot enter the top k.

How numpy is asked matters as much as what it is asked (numpy 2.4): arrays are narrowed by indexes
(`np.flatnonzero` of a mask), not by the mask itself, which takes 3-4 times longer when irregular
(half the documents of a join, say); and a segment's document numbers, int32 as `docids` reads
them, index through `np.take` or as np.intp, since numpy indexes by an int32 array element by
element (2-2.5 times slower).
"""

from __future__ import annotations

import bisect
import functools
import itertools
import pickle
import re
import struct
import threading
import zlib
import weakref
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from whoosh import matching
from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, WHOOSH3_HEADER_MAGIC, W3LeafMatcher, W3TermsReader, _lenfield
from whoosh.matching.wrappers import FilterMatcher
from whoosh.scoring import BM25FScorer, WeightScorer
from whoosh.util.numeric import byte_to_length

from .docids import MIN_POSTINGS, DocIds, Read
from .inflate import inflate
from .untrusted import safe_loads

if TYPE_CHECKING:
    import numpy as np

__all__ = ["AllWordsQuery", "AnyTermQuery", "ArrayMatcher", "BLOCK_HEADER", "INT_WIDTH", "SegmentQuery",
           "term_positions", "live_rows", "pickled_int", "ScoredTerm", "scored_term"]


class Postings:
    """A term's postings in one segment: document numbers, weights, and each posting's encoded
    value (positions), read a block at a time when a phrase or a snippet asks for it."""

    def __init__(self, reader: Any, fieldname: str, tbytes: bytes) -> None:
        import numpy as np

        self._reader = weakref.ref(reader)
        self._values: list[Any] | None = None  # every value, when read through Whoosh's matcher
        self._block_values: dict[int, Any] = {}
        read = read_postings(reader, fieldname, tbytes)
        if read is None:  # not in the layout `read_blocks` reads: through Whoosh's matcher
            self.ids, self.weights, self._values = read_whole(reader, fieldname, tbytes)
            self._first_rows: list[int] = []
            self._positions: list[int] = []
        else:
            self.ids, self.weights, self._first_rows, self._positions = read
        self.ids, self.weights = _compact(self.ids), _compact(self.weights)
        self.scores: dict[Any, np.ndarray] = {}  # by weighting model and the statistics it reads
        self.scored_some: set[Any] = set()  # the keys of `scores` some postings were scored by

    def value(self, row: int) -> Any:
        """The encoded value of posting `row` (its block's values are read on first use)."""
        if self._values is not None:
            return self._values[row]
        block = bisect.bisect_right(self._first_rows, row) - 1
        values = self._block_values.get(block)
        if values is None:
            reader: Any = self._reader()  # alive: the postings are kept per reader, and asked through it
            values = _block_values(reader._terms._postfile, self._positions[block])
            self._block_values[block] = values
        return values[row - self._first_rows[block]] if values else None


def _compact(numbers: np.ndarray) -> np.ndarray:
    """`numbers` in 4 bytes each where that keeps every value exactly (document numbers within a
    segment; weights, which blocks store as float32), so the cache holds half as much again."""
    import numpy as np

    if numbers.dtype.itemsize == 4:  # as `DocIds.read` gives them
        return numbers
    narrow = numbers.astype(np.int32 if numbers.dtype.kind == "i" else np.float32)
    return narrow if np.array_equal(narrow, numbers) else numbers


def extent(info: Any) -> tuple[int, int]:
    """Where a term's postings lie in its segment's postings file (W3TermInfo.from_bytes keeps the
    length as struct.unpack gives it, a 1-tuple)."""
    offset, length = info.extent()
    return offset, length[0] if isinstance(length, tuple) else length


def read_whole(reader: Any, fieldname: str, tbytes: bytes) -> tuple[np.ndarray, np.ndarray, list[Any]]:
    """A term's ids, weights and values through Whoosh's matcher, a block at a time (deleted
    documents' postings too: the caller drops them)."""
    import numpy as np

    postings = reader.postings(fieldname, tbytes)
    if isinstance(postings, FilterMatcher):  # deleted documents are dropped by the caller
        postings = postings.child
    ids: list[int] = []
    weights: list[float] = []
    values: list[Any] = []
    if isinstance(postings, W3LeafMatcher):  # a block at a time: no Python call per posting
        while postings.is_active():
            postings._read_ids(), postings._read_weights(), postings._read_values()
            ids.extend(postings._ids)
            weights.extend(postings._weights)
            values.extend(postings._values)
            postings._next_block()
    else:
        while postings.is_active():
            ids.append(postings.id())
            weights.append(postings.weight())
            values.append(postings.value())
            postings.next()
    return np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float64), values


# A posting block (W3PostingsWriter) is a 4-byte length, a header pickle (count, last id, top weight,
# zlib level, shortest and longest length byte), and a data pickle (id deltas, weights, values). Its
# ids and weights come first in the data: they are read alone, by pickle's C loader on a copy of just
# those bytes, which the patterns below have checked hold only numbers and tuples (their opcodes and
# fixed-size operands) — the values after them (the positions, one object each) are left for when a
# phrase asks. Anything else goes through Whoosh's matcher (and the strict unpickler).
# The data pickle's protocol: 2 as Whoosh writes it, 3 as bgsearch's writer does (the same opcodes
# but for the values, bytes, which protocol 2 makes calls of _codecs.encode, 5 times slower to read).
DATA_PROTOCOLS = (b"\x80\x02", b"\x80\x03")
_DATA_PROTOCOL = rb"(?:%s)" % b"|".join(map(re.escape, DATA_PROTOCOLS))
_INT = rb"(?:K.|M..|J....)"
_MEMO = rb"(?:q.|r....)"
BLOCK_HEADER = re.compile(rb"\x80\x02\((%s)%s(?:G.{8}|%s)K(.)K.K.t%s\." % (_INT, _INT, _INT, _MEMO), re.S)
# (The weights: a tuple is tried before one float, which a tuple of floats also starts with.)
_IDS_AND_WEIGHTS = re.compile(
    _DATA_PROTOCOL + rb"((?:\((?:%s)*t|(?:%s){1,3}[\x85-\x87])%s(?:(?:\((?:G.{8})*t|(?:G.{8}){1,3}[\x85-\x87])%s|G.{8}|N))"
    % (_INT, _INT, _MEMO, _MEMO), re.S)


def read_postings(reader: Any, fieldname: str, tbytes: bytes) -> Read | None:
    """A term's ids and weights in a segment, each block's first posting and its position in the
    postings file: from the segment's `.ids` file if it has the term, else from the blocks; None if
    they are not laid out as `BLOCK_HEADER` and `_IDS_AND_WEIGHTS` expect."""
    terms: Any = getattr(reader, "_terms", None)  # Whoosh's term table, or the reader's cache around it
    if not isinstance(getattr(terms, "_wrapped", terms), W3TermsReader):
        return None
    info = terms.term_info(fieldname, tbytes)
    if info.is_inlined():
        return None
    offset, length = extent(info)
    if info.doc_frequency() >= MIN_POSTINGS:
        docids = docids_of(reader)
        read = None if docids is None else docids.read(offset, length, info.doc_frequency(), info.min_id(),
                                                       info.max_id(), reader.doc_count_all())
        if read is not None:
            return read
    return read_blocks(terms._postfile.get(offset, length), offset)


def docids_of(reader: Any) -> DocIds | None:
    """The `.ids` file of a segment reader's segment (None: it has none), opened once per reader."""
    return _cache_of(reader).docids(reader)


def read_blocks(raw: bytes, offset: int) -> Read | None:
    """The postings of a term whose blocks are `raw`, at `offset` in the postings file."""
    import numpy as np

    if raw[:4] != WHOOSH3_HEADER_MAGIC:
        return None
    # A block is only checked and sliced here (a Python object a posting costs more than inflating
    # the block); numpy then reads every block's ids and weights at once from their bytes.
    first_rows: list[int] = []  # each block's first posting
    positions: list[int] = []  # where each block starts in the postings file
    firsts: list[int] = []  # each block's first id
    steps: list[bytes] = []  # a pickled integer (K and a byte) for each posting's step
    weights: list[bytes] = []  # a pickled float (G and a big-endian double) for each posting's weight
    unpickled: list[tuple[int, Sequence[int], Sequence[float]]] = []  # (first row, steps, weights)
    position, last, rows = 4, False, 0
    while not last:
        size = _BLOCK_SIZE.unpack_from(raw, position)[0]
        last, end = size < 0, position + 4 + abs(size)
        header = BLOCK_HEADER.match(raw, position + 4, end)
        if header is None:
            return None
        count, start, compressed = pickled_int(header[1]), header.end(), header[2] != b"\x00"
        if count < 1:  # (each block's first id is put in below)
            return None
        first_rows.append(rows)
        positions.append(offset + position)
        rows += count
        position, data = end, raw[start:end]
        # The ids and weights lead the data: inflated once, as far as `_small_steps` reads.
        inflater = zlib.decompressobj() if compressed else None
        head = data if inflater is None else inflater.decompress(data, 11 * count + 24)
        fast = _small_steps(head, count)
        if fast is not None:  # most blocks of a common word
            firsts.append(fast[0])
            steps += (b"K\x00", fast[1])  # (the first id's step: put in whole below)
            weights.append(fast[2])
            continue
        found = _ids_and_weights(head, inflater)
        if found is None:
            return None
        unpickled_block = _unpickled(found, count)
        if unpickled_block is None:
            return None
        block_deltas, block_weights = unpickled_block
        firsts.append(block_deltas[0])
        steps.append(bytes(2 * count))  # room for the block, filled in below
        weights.append(bytes(9 * count))
        unpickled.append((rows - count, block_deltas, block_weights))
    starts = np.array(first_rows, dtype=np.int64)
    deltas = np.frombuffer(b"".join(steps), dtype=np.uint8)[1::2].astype(np.int64)
    deltas[starts] = firsts
    floats = np.frombuffer(b"".join(weights), dtype=_PICKLED_FLOAT)["value"].astype(np.float64)
    for row, block_deltas, block_weights in unpickled:
        deltas[row : row + len(block_deltas)] = block_deltas
        floats[row : row + len(block_weights)] = block_weights
    # The ids: one running sum, each block's first id made a step from the previous block's last id
    # (its first id and its steps); in place, as a fresh array of every posting costs more here.
    last_ids = np.add.reduceat(deltas, starts)
    deltas[starts[1:]] -= last_ids[:-1]
    return np.cumsum(deltas, out=deltas), floats, first_rows, positions


def _unpickled(found: re.Match[bytes], count: int) -> tuple[Sequence[int], Sequence[float]] | None:
    """A block's id steps and weights as `_IDS_AND_WEIGHTS` found them, one weight a posting (None:
    not `count` of each, as the block's header says)."""
    block_deltas, block_weights = pickle.loads(b"\x80\x02" + found[1] + b"\x86.")
    if block_weights is None:
        block_weights = (1.0,) * count
    elif isinstance(block_weights, float):
        block_weights = (block_weights,) * count
    if len(block_deltas) != count or len(block_weights) != count:
        return None
    return block_deltas, block_weights


def block_postings(plain: bytes, count: int) -> tuple[np.ndarray, np.ndarray] | None:
    """The ids and weights of one block of `count` postings from its data, inflated (`plain`), or
    None if it is not laid out as `read_blocks` reads (a merge has inflated it anyway)."""
    import numpy as np

    fast = _small_steps(plain, count)
    if fast is not None:
        first, steps, weights = fast
        deltas = np.frombuffer(b"K\x00" + steps, dtype=np.uint8)[1::2].astype(np.int64)
        deltas[0] = first
        return np.cumsum(deltas), np.frombuffer(weights, dtype=_PICKLED_FLOAT)["value"].astype(np.float64)
    found = _IDS_AND_WEIGHTS.match(plain)
    unpickled_block = None if found is None else _unpickled(found, count)
    if unpickled_block is None:
        return None
    return np.cumsum(np.array(unpickled_block[0], dtype=np.int64)), np.array(unpickled_block[1], dtype=np.float64)


def _block_values(postfile: Any, position: int) -> Sequence[Any]:
    """The values of the block at `position` in a postings file (empty: a format without values)."""
    size = abs(_BLOCK_SIZE.unpack(postfile.get(position, 4))[0])
    raw = bytes(postfile.get(position + 4, size))
    header = BLOCK_HEADER.match(raw)
    if header is None:
        raise ValueError(f"damaged postings block at {position}")
    data = raw[header.end() :]
    values = safe_loads(inflate(data) if header[2] != b"\x00" else data)[2]
    return () if values is None else values


def _small_steps(head: bytes, count: int) -> tuple[int, bytes, bytes] | None:
    """The ids and weights of a block of 4 or more postings whose steps after the first all fit a
    byte, found by position at the start of its data (`head`, inflated) without regex or unpickling:
    `(` MARK, the first id whole (K, M or J), a K and its byte for each step, `t` TUPLE, a memo,
    then the weights as `N` (all 1.0), one float `G`, or a MARK, a `G` and 8 bytes for each, `t`.
    Gives the first id, the steps' bytes (K and a byte each) and the weights' (G and 8 bytes each:
    the one float of all repeated); None for anything else."""
    width = INT_WIDTH.get(head[3:4])
    if count < 4 or width is None or head[:2] not in DATA_PROTOCOLS or head[2:3] != b"(":
        return None
    at = 4 + width + 2 * (count - 1)
    steps = head[4 + width : at]
    if head[at : at + 1] != b"t" or steps[::2] != b"K" * (count - 1):
        return None
    at += _TUPLE_AND_MEMO.get(head[at + 1 : at + 2], len(head))
    first, kind = pickled_int(head[3 : 4 + width]), head[at : at + 1]
    if kind == b"N":
        return first, steps, _ONE * count
    if kind == b"G" and at + 9 <= len(head):
        return first, steps, head[at : at + 9] * count
    packed = head[at + 1 : at + 1 + 9 * count]
    if kind != b"(" or head[at + 1 + 9 * count : at + 2 + 9 * count] != b"t" or packed[::9] != b"G" * count:
        return None
    return first, steps, packed


INT_WIDTH = {b"K": 1, b"M": 2, b"J": 4}  # a pickled integer's opcode → its operand's length
_TUPLE_AND_MEMO = {b"q": 3, b"r": 6}  # the ids' TUPLE, then its BINPUT or LONG_BINPUT: their length
_ONE = b"G" + struct.pack(">d", 1.0)  # a pickled 1.0 (BINFLOAT)
_PICKLED_FLOAT = [("G", "u1"), ("value", ">f8")]  # BINFLOAT and its big-endian double, as numpy reads it


def _ids_and_weights(head: bytes, inflater: Any) -> re.Match[bytes] | None:
    """The ids and weights at the start of a block's data (`head`, its start, and the inflater to
    read on with, or None if the data is not compressed), inflating no more of it than they take
    (the values after them are most of a block). A match that ends where the inflated bytes end
    might be cut short (one float of a tuple of floats): more is inflated first."""
    if inflater is None:
        return _IDS_AND_WEIGHTS.match(head)
    if len(head) < _HEAD and inflater.unconsumed_tail:  # first matched on _HEAD bytes, as ever
        head += inflater.decompress(inflater.unconsumed_tail, _HEAD - len(head))
    while True:
        found = _IDS_AND_WEIGHTS.match(head)
        if (found is not None and found.end() < len(head)) or not inflater.unconsumed_tail:
            return found
        head += inflater.decompress(inflater.unconsumed_tail, _HEAD)


# A posting's value in the Positions format: its frequency (4 bytes), then the pickle of the list of
# its position deltas (formats.Positions.encode). Checked by pattern to hold only a list of numbers,
# it is read by pickle's C loader (a phrase reads thousands; Whoosh's decoder goes through the strict
# unpickler, in Python); any other value goes to `fallback`.
_POSITIONS = re.compile(rb".{4}\x80\x02\]q\x00(?:%s(?:a)|\((?:%s)*e)\." % (_INT, _INT), re.S)


def positions(value: bytes, fallback: Callable[[bytes], list[int]]) -> list[int]:
    """The positions a posting's value holds."""
    if _POSITIONS.fullmatch(value):
        return list(itertools.accumulate(pickle.loads(value[4:])))
    return fallback(value)


_HEAD = 2048  # bytes inflated at a time: the ids and weights of most blocks
_BLOCK_SIZE = struct.Struct("!i")


def pickled_int(opcode_and_operand: bytes) -> int:
    """The integer a K, M or J pickle opcode with its operand stands for."""
    return int.from_bytes(opcode_and_operand[1:], "little", signed=opcode_and_operand[:1] == b"J")


# Postings kept per segment reader, least recently used dropped first: POSTINGS_KEPT, or
# POSTINGS_KEPT_PER_DOCUMENT for each of the segment's documents where that is more, so an index
# merged into fewer, larger segments (`optimize`) keeps as much as one of many (~20 bytes a posting
# with its scores and the numpy objects around them: at most ~40 MB for a segment of up to 100,000
# documents, ~400 bytes a document beyond). A query whose postings are kept runs several times
# faster than one that decodes them (~0.3 µs a posting). A test sets both small to exercise the
# eviction.
POSTINGS_KEPT = 2_000_000
POSTINGS_KEPT_PER_DOCUMENT = 20


class _SegmentCache:
    """What this module reads from one segment reader, kept as long as the reader (one commit)."""

    def __init__(self) -> None:
        self.norms: dict[str, tuple[tuple[float, float, float], np.ndarray]] = {}  # by field: (k1, b, avgfl), norms
        self.postings: OrderedDict[tuple[str, bytes], Postings] = OrderedDict()
        self.kept = 0
        self.deleted: np.ndarray | None = None  # the deleted documents, ascending
        self.lock = threading.Lock()  # searches from several threads share the cache
        self._docids: DocIds | None = None
        self._docids_opened = False

    def docids(self, reader: Any) -> DocIds | None:
        """The segment's `.ids` file, opened on first use (None: it has none)."""
        if not self._docids_opened:
            self._docids, self._docids_opened = DocIds.of(reader._storage, reader._segment), True
        return self._docids


_CACHES: weakref.WeakKeyDictionary[Any, _SegmentCache] = weakref.WeakKeyDictionary()


def _cache_of(reader: Any) -> _SegmentCache:
    cache = _CACHES.get(reader)
    if cache is None:
        cache = _CACHES[reader] = _SegmentCache()
    return cache


def _postings(reader: Any, fieldname: str, tbytes: bytes) -> Postings:
    cache = _cache_of(reader)
    key = (fieldname, tbytes)
    with cache.lock:
        found = cache.postings.get(key)
        if found is not None:
            cache.postings.move_to_end(key)
            return found
    read = Postings(reader, fieldname, tbytes)  # outside the lock: another thread may read it too
    limit = max(POSTINGS_KEPT, POSTINGS_KEPT_PER_DOCUMENT * reader.doc_count_all())
    with cache.lock:
        if key not in cache.postings:
            cache.postings[key] = read
            cache.kept += len(read.ids)
            while cache.kept > limit and len(cache.postings) > 1:
                cache.kept -= len(cache.postings.popitem(last=False)[1].ids)
    return read


def _length_norms(reader: Any, fieldname: str, k1: float, b: float, avgfl: float) -> np.ndarray:
    """BM25's `k1 * ((1 - b) + b * length / avgfl)` of every document's length in `fieldname`
    (lengths as Whoosh's scorers read them): kept for the commit's statistics, as they are the
    same for every term of the field (avgfl changes with the commit)."""
    per_field = _cache_of(reader).norms
    key = (k1, b, avgfl)
    found = per_field.get(fieldname)
    if found is None or found[0] != key:
        lengths = _byte_lengths()[length_codes(reader._perdoc, fieldname, reader.doc_count_all())]
        found = per_field[fieldname] = (key, k1 * ((1 - b) + b * lengths / avgfl))
    return found[1]


def length_codes(perdoc: Any, fieldname: str, count: int) -> np.ndarray:
    """The one-byte length codes of `fieldname` of a segment's `count` documents (`perdoc`: its
    per-document reader; 0: no length), read in one piece."""
    import numpy as np

    encoded = np.zeros(count, dtype=np.uint8)
    column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if column is not None:
        stored = column._dbfile.get(column._basepos, column._count)
        encoded[: len(stored)] = np.frombuffer(stored, dtype=np.uint8)
    return encoded


@functools.cache
def _byte_lengths() -> np.ndarray:
    """Whoosh's one-byte field length codes, decoded (a document with the term has length >= 1)."""
    import numpy as np

    return np.array([1.0] + [float(byte_to_length(b)) for b in range(1, 256)])


class ScoredTerm:
    """A term's postings in one segment, scored as the query's weighting scores them: every posting
    at once (kept with the postings, for the next query), or only some (not kept: the documents of
    a common word that a rarer word of the query leaves)."""

    def __init__(self, searcher: Any, context: Any, fieldname: str, tbytes: bytes, postings: Postings) -> None:
        self.postings = postings
        self.ids = postings.ids
        self._searcher = searcher
        self._fieldname = fieldname
        self._tbytes = tbytes
        self._weighting = (context.weighting if context is not None else None) or searcher.weighting
        # Scores depend on the whole index's statistics, which change only with the documents it
        # holds (deleted documents keep counting until a merge rewrites their segment).
        self._key = (self._weighting, searcher.get_parent().doc_count_all())
        self._scorer: Any = None

    def scores(self) -> np.ndarray:
        """Every posting's score."""
        found = self.postings.scores.get(self._key)
        if found is None:
            found = self.postings.scores[self._key] = self._score(self.postings.ids, self.postings.weights)
        return found

    def scores_at(self, rows: np.ndarray) -> np.ndarray:
        """The scores of the postings at `rows` (the same numbers as `scores()[rows]`): only theirs
        the first time, every posting's (kept) once the term is asked again, by a query that runs
        again, say."""
        import numpy as np

        postings = self.postings
        if self._key in postings.scores or self._key in postings.scored_some:
            return np.take(self.scores(), rows)
        postings.scored_some.add(self._key)
        return self._score(np.take(postings.ids, rows), np.take(postings.weights, rows))

    def _score(self, ids: np.ndarray, weights: np.ndarray) -> np.ndarray:
        if self._scorer is None:
            self._scorer = self._weighting.scorer(self._searcher, self._fieldname, self._tbytes)
        return _scores(self._scorer, self._searcher.reader(), self._fieldname, ids, weights)


def scored_term(searcher: Any, context: Any, fieldname: str, text: str) -> ScoredTerm | None:
    """A term's postings in `searcher`'s segment, to be scored (None: not there)."""
    reader = searcher.reader()
    tbytes = _stored_term(reader, fieldname, text)
    if tbytes is None:
        return None
    return ScoredTerm(searcher, context, fieldname, tbytes, _postings(reader, fieldname, tbytes))


def _scores(scorer: Any, reader: Any, fieldname: str, ids: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """What `scorer` gives the postings of documents `ids` with `weights`. Each score is computed
    on its own (elementwise): the same number whichever postings are scored with it."""
    import numpy as np

    if isinstance(scorer, BM25FScorer):  # Whoosh's bm25(), operation by operation
        k1 = scorer.K1
        # idf * ((weight * (k1 + 1)) / (weight + norm)), in place (each operation as bm25's; + and *
        # commute exactly): no temporary array beside the two.
        denominators = np.take(_length_norms(reader, fieldname, k1, scorer.B, scorer.avgfl), ids)
        weights = weights.astype(np.float64)  # (a copy) float32 times a Python float would stay float32
        denominators += weights
        weights *= k1 + 1
        weights /= denominators
        weights *= scorer.idf
        return weights
    if isinstance(scorer, WeightScorer):  # a field without lengths (id, source): its weight
        return weights.astype(np.float64)
    field_lengths = [reader.doc_field_length(d, fieldname, 1) for d in ids.tolist()]
    return np.array([scorer._score(w, n) for w, n in zip(weights.tolist(), field_lengths)])


def _stored_term(reader: Any, fieldname: str, text: str) -> bytes | None:
    """The term as the segment stores it, if the segment has it."""
    try:
        tbytes = reader.schema[fieldname].to_bytes(text)
    except ValueError:  # not encodable (a lone surrogate): no document can have it
        return None
    return tbytes if (fieldname, tbytes) in reader else None


def term_positions(reader: Any, fieldname: str, text: str, docnum: int) -> list[int]:
    """Where `text` occurs in document `docnum`'s field, ascending (empty: not there). From postings
    already read whole if this segment has them, else by skipping Whoosh's postings to the document."""
    import numpy as np

    tbytes = _stored_term(reader, fieldname, text)
    if tbytes is None:
        return []
    cache = _CACHES.get(reader)
    postings = cache.postings.get((fieldname, tbytes)) if cache is not None else None
    if postings is not None:
        row = int(np.searchsorted(postings.ids, docnum))
        if row == len(postings.ids) or postings.ids[row] != docnum:
            return []
        return positions(postings.value(row), reader.schema[fieldname].format.decoder("positions"))
    matcher = reader.postings(fieldname, tbytes)
    matcher.skip_to(docnum)
    if matcher.is_active() and matcher.id() == docnum:
        found: list[int] = matcher.value_as("positions")
        return found
    return []


def live_rows(reader: Any, docs: np.ndarray) -> np.ndarray | None:
    """Where in `docs` the documents the segment has not deleted stand (indexes, to narrow `docs`
    and the arrays beside it by); None when the segment has deleted none, so nothing is copied."""
    import numpy as np

    if not reader.has_deletions():
        return None
    cache = _cache_of(reader)
    if cache.deleted is None:  # a reader's deletions are those of its commit
        cache.deleted = np.sort(np.fromiter(reader.deleted_docs_set, dtype=np.int64))
    return np.flatnonzero(locate(docs, cache.deleted, reader.doc_count_all()) < 0)


class SegmentQuery(wq.Query):
    """A query whose matcher is built per segment; over several segments, one after the other."""

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        if not searcher.is_atomic():  # Whoosh's own search asks per segment; anyone else gets the same
            subs = searcher.subsearchers
            return matching.MultiMatcher([self.matcher(s, context) for s, _ in subs], [o for _, o in subs])
        return self.segment_matcher(searcher, context)

    def segment_matcher(self, searcher: Any, context: Any) -> Any:
        raise NotImplementedError


Leaf = tuple[str, str, float]  # (field, term, boost)


class AnyTermQuery(SegmentQuery):
    """Documents with any of the terms; a document scores the sum of its terms' boosted scores, as
    Whoosh's Or of the same Term queries does."""

    def __init__(self, leaves: Sequence[Leaf], boost: float = 1.0) -> None:
        self.leaves = tuple(leaves)
        self.boost = boost

    def _key(self) -> tuple[Any, ...]:
        return (type(self), self.leaves, self.boost)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.leaves!r}, boost={self.boost})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AnyTermQuery) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def _terms(self, phrases: bool = True) -> Any:
        for fieldname, text, _ in self.leaves:
            yield fieldname, text

    def estimate_size(self, ixreader: Any) -> int:
        return sum(ixreader.doc_frequency(f, t) for f, t, _ in self.leaves)

    def segment_matcher(self, searcher: Any, context: Any) -> Any:
        found = self.scored(searcher, context)
        return matching.NullMatcher() if found is None else ArrayMatcher(*found)

    def scored(self, searcher: Any, context: Any) -> tuple[np.ndarray, np.ndarray] | None:
        """The segment's live documents that match (ascending) and their exact scores (None: none)."""
        return _live(searcher.reader(), *_union(searcher, context, self.leaves, self.boost))


class AllWordsQuery(AnyTermQuery):
    """Documents with every word, each word any of its terms (`words`: the leaves' word numbers);
    scored as the sum over the words, as Whoosh's And of an Or per word."""

    def __init__(self, leaves: Sequence[Leaf], words: Sequence[int], boost: float = 1.0) -> None:
        super().__init__(leaves, boost)
        self.words = tuple(words)

    def _key(self) -> tuple[Any, ...]:
        return (*super()._key(), self.words)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.leaves!r}, words={self.words!r}, boost={self.boost})"

    def estimate_size(self, ixreader: Any) -> int:
        return min(ixreader.doc_frequency(f, t) for f, t, _ in self.leaves)

    def scored(self, searcher: Any, context: Any) -> tuple[np.ndarray, np.ndarray] | None:
        import numpy as np

        size = searcher.reader().doc_count_all()
        words: list[list[tuple[ScoredTerm, float]]] = []
        for word in sorted(set(self.words)):
            found = _leaf_terms(searcher, context, [leaf for leaf, w in zip(self.leaves, self.words) if w == word])
            if not found:  # no document of the segment has this word
                return None
            words.append(found)
        # The rarest word's documents, then each other word looked up at those that are left: a
        # common word's postings are never joined whole, nor scored but where they are needed.
        # Each word's scores are kept apart and added in the words' order at the end, so every
        # sum is the one Whoosh's And makes.
        order = sorted(range(len(words)), key=lambda n: sum(len(term.ids) for term, _ in words[n]))
        docs, first = _joined([(term.ids, term.scores(), leaf_boost) for term, leaf_boost in words[order[0]]],
                              self.boost, size)
        scores = {order[0]: first}
        for n in order[1:]:
            has = np.zeros(len(docs), dtype=bool)
            added = np.zeros(len(docs))
            for term, leaf_boost in words[n]:
                at = locate(docs, term.ids, size)
                there = np.flatnonzero(at >= 0)
                added[there] += term.scores_at(at[there]) * (leaf_boost * self.boost)
                has[there] = True
            kept = np.flatnonzero(has)
            docs = docs[kept]
            scores = {m: word_scores[kept] for m, word_scores in scores.items()}
            scores[n] = added[kept]
            if not len(docs):
                return None
        total = scores[0]
        for n in range(1, len(words)):
            total = total + scores[n]
        return _live(searcher.reader(), docs, total)


def _leaf_terms(searcher: Any, context: Any, leaves: Sequence[Leaf]) -> list[tuple[ScoredTerm, float]]:
    """Each of `leaves` this segment has, with its boost."""
    found = []
    for fieldname, text, leaf_boost in leaves:
        term = scored_term(searcher, context, fieldname, text)
        if term is not None:
            found.append((term, leaf_boost))
    return found


def _scored_leaves(searcher: Any, context: Any, leaves: Sequence[Leaf]) -> list[tuple[np.ndarray, np.ndarray, float]]:
    """Each of `leaves` this segment has: its documents (ascending), their scores, its boost."""
    return [(term.ids, term.scores(), leaf_boost) for term, leaf_boost in _leaf_terms(searcher, context, leaves)]


def _union(searcher: Any, context: Any, leaves: Sequence[Leaf], boost: float) -> tuple[np.ndarray, np.ndarray]:
    """The documents with any of `leaves` (ascending) and their summed scores."""
    return _joined(_scored_leaves(searcher, context, leaves), boost, searcher.reader().doc_count_all())


def _joined(found: Sequence[tuple[np.ndarray, np.ndarray, float]], boost: float, size: int
            ) -> tuple[np.ndarray, np.ndarray]:
    """The documents of any of the scored leaves `found` of a segment of `size` documents, and
    their summed boosted scores."""
    import numpy as np

    if not found:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    ids = [leaf_ids for leaf_ids, _, _ in found]
    scores = [leaf_scores * (leaf_boost * boost) for _, leaf_scores, leaf_boost in found]
    if len(ids) == 1:
        return ids[0], scores[0]
    if not _dense(sum(map(len, ids)), size):
        # Each document's scores in the terms' order, for bincount to add.
        order, docs, number = _merged(ids)
        return docs, np.bincount(number, weights=np.concatenate(scores)[order])
    # Over the segment's documents at once: no sort. Each term adds once to a document, in the
    # terms' order, as bincount adds (so the same sums, to the last bit).
    total = np.zeros(size)
    present = np.zeros(size, dtype=bool)
    for term_ids, term_scores in zip(ids, scores):
        at = term_ids.astype(np.intp)
        total[at] += term_scores
        present[at] = True
    docs = np.flatnonzero(present)
    return docs, total[docs]


def _dense(postings: int, size: int) -> bool:
    """Whether sets of `postings` documents in all are cheaper joined as masks over the segment's
    `size` documents than sorted (a sort costs ~16 times a mask's work a document, or more)."""
    return postings * 16 >= size


def union(ids: Sequence[np.ndarray], size: int) -> np.ndarray:
    """The documents in any of `ids` (each ascending, of a segment of `size` documents), ascending."""
    import numpy as np

    if len(ids) == 1:
        return ids[0]
    if not _dense(sum(map(len, ids)), size):
        return distinct(np.sort(np.concatenate(ids), kind="stable"))  # (stable: merges the ascending runs)
    present = np.zeros(size, dtype=bool)
    for some in ids:
        present[some.astype(np.intp)] = True
    return np.flatnonzero(present)


def union_rows(ids: Sequence[np.ndarray], size: int) -> tuple[np.ndarray, list[np.ndarray]]:
    """The documents in any of `ids` (each ascending, of a segment of `size` documents), ascending,
    and for each of `ids` the row in it of each of those documents (-1: not there)."""
    import numpy as np

    if len(ids) == 1:
        return ids[0], [np.arange(len(ids[0]), dtype=np.int32)]
    largest = max(range(len(ids)), key=lambda n: len(ids[n]))
    total = sum(map(len, ids))
    if (total - len(ids[largest])) * 8 <= len(ids[largest]):
        return _merged_into(ids, largest, size)
    if _dense(total, size):
        docs = union(ids, size)
        # (A set as large as the union is the union, row for row.)
        return docs, [np.arange(len(docs), dtype=np.int32) if len(some) == len(docs) else locate(docs, some, size)
                      for some in ids]
    # Few for the segment: one sort of them all.
    order, docs, number = _merged(ids)
    place = np.empty(len(order), dtype=np.intp)  # each document of `ids`, in turn, is the union's place-th
    place[order] = number
    rows, start = [], 0
    for some in ids:
        found = np.full(len(docs), -1, dtype=np.int32)
        found[place[start : start + len(some)]] = np.arange(len(some), dtype=np.int32)
        rows.append(found)
        start += len(some)
    return docs, rows


def _merged_into(ids: Sequence[np.ndarray], largest: int, size: int) -> tuple[np.ndarray, list[np.ndarray]]:
    """`union_rows` where `ids[largest]` holds at least eight times as many as the others (a
    phrase's documents by their bodies beside those by their titles): the others' few documents
    that it lacks are put into it, rather than all of them joined whole."""
    import numpy as np

    most = ids[largest]
    others = union([some for n, some in enumerate(ids) if n != largest], size)
    extra = others[locate(others, most, size) < 0]
    docs = most
    if len(extra):
        went = np.searchsorted(most, extra) + np.arange(len(extra))  # where the extra documents go
        mine = np.ones(len(most) + len(extra), dtype=bool)
        mine[went] = False
        docs = np.empty(len(mine), dtype=most.dtype)
        docs[went], docs[mine] = extra, most
    rows = []
    for n, some in enumerate(ids):
        if n == largest and not len(extra):
            rows.append(np.arange(len(docs), dtype=np.int32))
            continue
        found = np.full(len(docs), -1, dtype=np.int32)
        if n == largest:
            found[mine] = np.arange(len(most), dtype=np.int32)
        else:
            found[np.searchsorted(docs, some)] = np.arange(len(some), dtype=np.int32)
        rows.append(found)
    return docs, rows


def distinct(ascending: np.ndarray) -> np.ndarray:
    """`ascending` without repeats. (np.unique hashes since numpy 2.3: ~20 times slower on the
    ten thousands of document numbers a query joins.)"""
    import numpy as np

    return ascending[np.flatnonzero(_firsts(ascending))]


def _merged(ids: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ascending `ids` sorted together: the sort's order (of their concatenation), their
    union, and the number in the union of each sorted place. A stable sort merges the ascending
    runs (np.unique's sort does not see them, ~2.4x slower) and keeps a document's places in the
    order of `ids`."""
    import numpy as np

    joined = np.concatenate(ids)
    order = np.argsort(joined, kind="stable")
    ascending = joined[order]
    first = _firsts(ascending)
    return order, ascending[np.flatnonzero(first)], np.cumsum(first) - 1


def _firsts(ascending: np.ndarray) -> np.ndarray:
    """Where each value of `ascending` first stands (a mask)."""
    import numpy as np

    first = np.empty(len(ascending), dtype=bool)
    first[:1] = True
    np.not_equal(ascending[1:], ascending[:-1], out=first[1:])
    return first


def intersect(docs: np.ndarray, other: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The documents in both ascending arrays of a segment of `size` documents, and where each is
    in `docs` and in `other` (np.intersect1d's return_indices, without its sort when they are many)."""
    import numpy as np

    if not _dense(len(docs) + len(other), size):
        # np.intersect1d's way (a stable sort of both: a document in both stands twice, the one of
        # `docs` first), taking by indexes where it takes by masks (irregular masks are slow).
        joined = np.concatenate((docs, other))
        order = np.argsort(joined, kind="stable")
        ascending = joined[order]
        twice = np.flatnonzero(ascending[1:] == ascending[:-1])
        return ascending[twice], order[twice], order[twice + 1] - len(docs)
    at = locate(docs, other, size)
    here = np.flatnonzero(at >= 0)
    return docs[here], here, at[here]


def locate(docs: np.ndarray, other: np.ndarray, size: int) -> np.ndarray:
    """Where each of `docs` is in `other` (both ascending, of a segment of `size` documents), -1
    where it is not there: by binary search when they are few for the segment, or `docs` few beside
    `other` (a rare word's documents in a common word's postings), else by a mask."""
    import numpy as np

    if not len(other):
        return np.full(len(docs), -1, dtype=np.int64)
    if not _dense(len(docs) + len(other), size) or len(docs) * 8 < len(other):
        at = np.searchsorted(other, docs)
        return np.where(other[np.minimum(at, len(other) - 1)] == docs, at, -1)
    # A document's row in `other`, plus one (0: not there); int32, as a segment's documents are
    # (docids): half the memory to clear and scatter into of int64, twice as fast at a million.
    rows = np.zeros(size, dtype=np.int32)
    rows[other.astype(np.intp)] = np.arange(1, len(other) + 1, dtype=np.int32)
    return np.take(rows, docs) - 1


def _live(reader: Any, docs: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """The documents of `docs` the segment has not deleted, with their `scores` (None: none)."""
    kept = live_rows(reader, docs)
    if kept is not None:
        docs, scores = docs[kept], scores[kept]
    return (docs, scores) if len(docs) else None


class ArrayMatcher(matching.Matcher):
    """Documents `docs` (ascending) with their exact `scores`. With `check`, a document is a match
    only if check(i) holds for its index, which is asked when the matcher stops on it, once."""

    def __init__(
        self,
        docs: np.ndarray,
        scores: np.ndarray,
        check: Callable[[int], bool] | None = None,
        checked: dict[int, bool] | None = None,
        at: int = 0,
    ) -> None:
        import numpy as np

        self._docs = docs
        self._scores = scores
        self._best_from = np.maximum.accumulate(scores[::-1])[::-1]  # max_quality from each index on
        self._check = check
        self._checked = {} if checked is None else checked  # shared by copies
        self._at = at
        self._settled = check is None

    # -- moving ------------------------------------------------------------------------------

    def _matches(self, i: int) -> bool:
        if self._check is None:
            return True
        found = self._checked.get(i)
        if found is None:
            found = self._checked[i] = self._check(i)
        return found

    def _settle(self) -> None:
        """Move from the current index to the first one at or after it that matches."""
        if not self._settled:
            end = len(self._docs)
            while self._at < end and not self._matches(self._at):
                self._at += 1
            self._settled = True

    def is_active(self) -> bool:
        self._settle()
        return self._at < len(self._docs)

    def id(self) -> int:
        self._settle()
        return int(self._docs[self._at])

    def next(self) -> bool:
        if not self.is_active():
            raise matching.ReadTooFar
        self._at += 1
        self._settled = self._check is None
        return True  # every document is a block of its own: the collector may skip by score now

    def skip_to(self, id: int) -> bool:
        if not self.is_active():
            raise matching.ReadTooFar
        if id > self.id():
            import numpy as np

            self._at = int(np.searchsorted(self._docs, id))
            self._settled = self._check is None
        return False

    def skip_to_quality(self, minquality: float) -> int:
        """Skip the documents that cannot score above `minquality`, without checking them."""
        import numpy as np

        start, end = self._at, len(self._docs)
        while self._at < end:
            above = np.flatnonzero(self._scores[self._at :] > minquality)
            if not len(above):
                self._at = end
                break
            self._at += int(above[0])
            if self._matches(self._at):
                break
            self._at += 1
        self._settled = True
        return self._at - start

    def all_ids(self) -> Any:
        if self._check is None:
            return iter(self._docs[self._at :].tolist())
        return super().all_ids()

    def reset(self) -> None:
        self._at = 0
        self._settled = self._check is None

    def copy(self) -> ArrayMatcher:
        return ArrayMatcher(self._docs, self._scores, self._check, self._checked, self._at)

    def replace(self, minquality: float = 0) -> Any:
        if not self.is_active() or (minquality and self.max_quality() < minquality):
            return matching.NullMatcher()
        return self

    # -- scoring -----------------------------------------------------------------------------

    def score(self) -> float:
        self._settle()
        return float(self._scores[self._at])

    def supports(self, astype: str) -> bool:
        return False

    def supports_block_quality(self) -> bool:
        return True

    def max_quality(self) -> float:
        return float(self._best_from[self._at]) if self._at < len(self._docs) else 0.0

    def block_quality(self) -> float:
        return self.score() if self.is_active() else 0.0  # Whoosh's intersections ask past the end too
