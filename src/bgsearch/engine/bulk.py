"""Writing segments in bulk: the files Whoosh's own writer writes, from arrays.

Whoosh's `SegmentWriter` handles one posting at a time in Python: a tuple into a pool, a sort of
all tuples (spilled to disk and merged when large), one call per posting to look up its document's
length and to encode it into a block. On law texts that was four fifths of an import's time, and a
merge rewrites every posting the same way. Here a segment's postings are made as numpy arrays
instead — each field's tokens sorted by term at once, frequencies, position deltas and their
pickled encoding, block statistics and term statistics computed over whole arrays — and only the
blocks themselves (a pickle and a zlib call each) and the terms (one table entry each) are written
one at a time.

The files are Whoosh's own (`W3Codec`), read by Whoosh's unchanged reader: a new segment is byte for
byte what `SegmentWriter` writes for the same documents (the tests compare the files), but for a
block's data pickled with protocol 3 instead of 2 (its values, bytes, are then bytes in the pickle,
not calls of `_codecs.encode`: 5x faster to read, 39% smaller), and a merged
segment holds the same postings, stored fields and lengths as the segments it replaces, with the
exact total field lengths (Whoosh's own merge sums the one-byte approximations). Beside them each
segment has bgsearch's own `.ids` file (`docids`): its common terms' ids and weights as arrays.

* `write_segment(storage, schema, indexname, rows)`: documents (Whoosh field dicts) → a segment.
* `merge_segments(storage, schema, indexname, segments, parallel)`: segments → one segment of their
  live documents, term by term (memory bounded by the largest term's postings, not the segments'
  size); with `parallel`, ranges of terms in other processes at once.
"""

from __future__ import annotations

import copy
import hashlib
import heapq
import io
import itertools
import pickle
import struct
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
from deflate import zlib_compress
from whoosh import formats
from whoosh.analysis import IDTokenizer
from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    STORED_COLUMN,
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
    W3PerDocWriter,
    W3TermInfo,
    _lenfield,
)
from whoosh.fields import UnknownFieldError
from whoosh.filedb.filetables import OrderedHashWriter
from whoosh.system import pack_int, pack_long, pack_uint, pack_ushort, unpack_int
from whoosh.util.numeric import _length_byte_cache

from ..analysis.analyzer import BulgarianAnalyzer
from .docids import EXTENSION, MIN_POSTINGS, DocIdsWriter, Read
from .inflate import inflate
from .postings import (BLOCK_HEADER, DATA_PROTOCOLS, INT_WIDTH, block_postings, distinct, docids_of, length_codes,
                       pickled_int, read_blocks, read_whole)
from .untrusted import safe_load

__all__ = ["write_segment", "merge_segments", "PARALLEL_MERGE_DOCS"]

BLOCK_LIMIT = 128  # postings a block, and the blocks' zlib level: W3Codec's defaults
COMPRESSION = 3
MERGE_COMPRESSION = 1  # a merge recompresses the blocks it shifts: 4% faster merges for 1% more bytes
_PROGRESS_EVERY = 100
# Blocks and stored fields are compressed by libdeflate, in the zlib format that Whoosh's reader
# inflates, at half zlib's cost for the same size; a block of fewer bytes than _PLAIN_BELOW is left
# plain (zlib level 0 in its header: Whoosh reads it as it is), as setting up the compressor costs
# more than it saves.
_PLAIN_BELOW = 512
_RUN_POSTINGS = 1 << 17  # postings encoded or read whole and written at a time (new segments, merges)
_BYTE_LENGTHS = np.array(_length_byte_cache, dtype=np.int64)  # a length byte → the length it stands for
_LONGEST = 106374  # lengths from here on are all byte 255 (whoosh.util.numeric.length_to_byte)
_TERM_STRUCT = W3TermInfo._struct
_TERM_INFO = np.dtype([  # W3TermInfo.to_bytes: "!BfIBBfII", then the postings' extent ("!q", "!i")
    ("inlined", "u1"), ("weight", ">f4"), ("df", ">u4"), ("minlength", "u1"), ("maxlength", "u1"),
    ("maxweight", ">f4"), ("minid", ">u4"), ("maxid", ">u4"), ("offset", ">i8"), ("length", ">i4"),
])
_EXTENT = struct.Struct("!qi")
_RECORD_LENGTHS = struct.Struct("!ii")  # a term table record: key and value lengths (filetables._lengths)
_dumps = pickle.dumps
_DATA_PROTOCOL = 3  # a block's data: its values as bytes (postings.DATA_PROTOCOLS)


def length_bytes(lengths: np.ndarray) -> np.ndarray:
    """`whoosh.util.numeric.length_to_byte` of every length at once."""
    return np.where(lengths >= _LONGEST, 255, np.searchsorted(_BYTE_LENGTHS, lengths, side="left"))


# -- postings as arrays ----------------------------------------------------------------------------

class PostingArrays:
    """A run of one field's terms with their postings, in Whoosh's order (terms by their bytes, then
    document numbers): `starts[i]:starts[i + 1]` are term i's postings. `weights` are exact
    (whole numbers: term frequencies, the fields' boost being 1); `values` are the postings' encoded
    values (None: the format stores none); `lengths` the field length each posting's document has,
    as its length byte decodes (None: the field is not scored)."""

    __slots__ = ("terms", "starts", "docs", "weights", "values", "lengths")

    def __init__(self, terms: list[bytes], starts: np.ndarray, docs: np.ndarray, weights: np.ndarray,
                 values: list[bytes] | None, lengths: np.ndarray | None) -> None:
        self.terms, self.starts, self.docs, self.weights = terms, starts, docs, weights
        self.values, self.lengths = values, lengths


def positions_values(freqs: np.ndarray, deltas: np.ndarray) -> list[bytes]:
    """`formats.Positions.encode` of every posting at once: the frequency as a big-endian uint, then
    the pickle (protocol 2) of the list of position deltas. `deltas` holds each posting's deltas in
    turn (`freqs[i]` of them). A list of more than 1,000 deltas is pickled in batches, which only
    `pickle` itself writes here."""
    count = len(freqs)
    if not count:
        return []
    owner = np.repeat(np.arange(count), freqs)
    first = np.cumsum(freqs) - freqs  # each posting's first delta
    item_size = np.where(deltas < 0x100, 2, np.where(deltas < 0x10000, 3, 5))  # K b / M bb / J bbbb
    item_end = np.cumsum(item_size)
    before = item_end - item_size - (item_end - item_size)[first][owner]  # item bytes before it, in its posting
    several = freqs > 1
    # uint32 count, PROTO 2, EMPTY_LIST, BINPUT 0, [MARK], items, APPEND or APPENDS, STOP
    size = 4 + 5 + several + np.add.reduceat(item_size, first) + 2
    end = np.cumsum(size)
    begin = end - size
    out = np.zeros(int(end[-1]), dtype=np.uint8)
    out[begin[:, None] + np.arange(4)] = freqs.astype(">u4").view(np.uint8).reshape(-1, 4)
    out[begin[:, None] + np.arange(4, 9)] = np.frombuffer(b"\x80\x02]q\x00", dtype=np.uint8)
    out[begin[several] + 9] = ord("(")
    at = begin[owner] + 9 + several[owner] + before
    out[at] = np.where(item_size == 2, ord("K"), np.where(item_size == 3, ord("M"), ord("J")))
    little = deltas.astype("<u4").view(np.uint8).reshape(-1, 4)
    out[at + 1] = little[:, 0]
    wide = item_size >= 3
    out[at[wide] + 2] = little[wide, 1]
    wider = item_size == 5
    out[at[wider] + 3] = little[wider, 2]
    out[at[wider] + 4] = little[wider, 3]
    out[end - 2] = np.where(several, ord("e"), ord("a"))
    out[end - 1] = ord(".")
    data = out.tobytes()
    values = [data[b:e] for b, e in zip(begin.tolist(), end.tolist())]
    for i in np.flatnonzero(freqs > 1000).tolist():  # pickle batches long lists: let it write them
        start = int(first[i])
        values[i] = pack_uint(int(freqs[i])) + _dumps(deltas[start : start + int(freqs[i])].tolist(), 2)
    return values


# -- the terms and postings files ------------------------------------------------------------------

class _TermTableWriter(OrderedHashWriter):
    """Whoosh's term table writer, whose `add_all` writes a run of terms at once: a merge adds a
    million, and Whoosh's `add` makes three writes and a hash (through a hex string) a term."""

    lastkey: bytes  # (Whoosh's: the last key written)

    def add_all(self, items: Iterable[tuple[bytes, bytes]]) -> None:
        dbfile, buckets, index = self.dbfile, self.buckets, self.index
        start, out, last = dbfile.tell(), bytearray(), self.lastkey
        for key, value in items:
            if key <= last:
                raise ValueError(f"Keys must increase: {last!r}..{key!r}")
            position = start + len(out)
            index.append(position)
            key_hash = int.from_bytes(hashlib.md5(key, usedforsecurity=False).digest()[12:], "big")
            buckets[key_hash & 255].append((key_hash, position))  # filetables.md5_hash's value
            out += _RECORD_LENGTHS.pack(len(key), len(value))
            out += key
            out += value
            last = key
        dbfile.write(bytes(out))
        self.lastkey = last


def _moved(record: bytes, start: int) -> bytes:
    """A term table record with its postings' offset moved by `start`."""
    offset, length = _EXTENT.unpack_from(record, _TERM_STRUCT.size)
    return record[: _TERM_STRUCT.size] + _EXTENT.pack(offset + start, length)


class _TermsWriter:
    """A segment's terms (`.trm`, an ordered hash of field number + term bytes → W3TermInfo) and
    postings (`.pst`, each term's blocks), as W3FieldWriter and W3PostingsWriter write them. With a
    `part` file name instead of a segment: one range of a merge's terms, whose postings go to that
    file and whose table entries are kept in `records`, for `append_part`."""

    def __init__(self, storage: Any, segment: Any, part: str | None = None) -> None:
        self._fieldmap: dict[str, int] = {}
        self.records: list[tuple[str, bytes, bytes]] = []
        if segment is None:
            assert part is not None
            self._index: Any = None
            self._postings = storage.create_file(part)
            self._ids = DocIdsWriter(storage.create_file(part + EXTENSION))
        else:
            self._index = _TermTableWriter(segment.create_file(storage, W3Codec.TERMS_EXT))
            self._index.extras["fieldmap"] = self._fieldmap
            self._postings = segment.create_file(storage, W3Codec.POSTS_EXT)
            self._ids = DocIdsWriter(segment.create_file(storage, EXTENSION))
        self._offset = 0
        self._buffer = bytearray()
        self._read: dict[int, _PostingsWindow] = {}  # id(segment reader) → its postings, read ahead

    def _postings_of(self, reader: Any, record: TermRecord) -> bytes:
        """A term's postings in a segment being merged."""
        window = self._read.get(id(reader))
        if window is None:
            window = self._read[id(reader)] = _PostingsWindow(reader._terms._postfile)
        return window.get(record.offset, record.length)

    def _add_terms(self, fieldname: str, terms: Iterable[tuple[bytes, bytes]]) -> None:
        """Add (term bytes, record) pairs of a field to the table (a part: to `records`)."""
        if self._index is None:
            self.records += [(fieldname, term, record) for term, record in terms]
            return
        prefix = pack_ushort(self._fieldmap.setdefault(fieldname, len(self._fieldmap)))
        self._index.add_all((prefix + term, record) for term, record in terms)

    def append_part(self, storage: Any, part: str, records: Sequence[tuple[str, bytes, bytes]]) -> None:
        """Append a part's postings file (then deleted) and its terms, which come after every term
        written before, their offsets moved to where the part now starts."""
        self._flush()
        start = self._offset
        source = storage.open_file(part)
        try:
            while block := source.read(1 << 22):
                self._postings.write(block)
                self._offset += len(block)
        finally:
            source.close()
        storage.delete_file(part)
        ids_name = part + EXTENSION
        source = storage.open_file(ids_name)
        try:
            self._ids.append(source, storage.file_length(ids_name), start)
        finally:
            source.close()
        storage.delete_file(ids_name)
        for fieldname, group in itertools.groupby(records, key=lambda entry: entry[0]):
            self._add_terms(fieldname, ((term, _moved(record, start)) for _, term, record in group))

    def add(self, fieldname: str, postings: PostingArrays) -> None:
        """Write a run of `fieldname`'s terms (after every term written before: fields in name order,
        terms in byte order)."""
        starts, docs = postings.starts, postings.docs
        terms = len(postings.terms)
        if not terms:
            return
        counts = np.diff(starts)
        blocks = -(-counts // BLOCK_LIMIT)
        term_of_block = np.repeat(np.arange(terms), blocks)
        first_block = np.cumsum(blocks) - blocks
        block_start = starts[term_of_block] + BLOCK_LIMIT * (np.arange(len(term_of_block)) - first_block[term_of_block])
        block_end = np.minimum(block_start + BLOCK_LIMIT, starts[term_of_block + 1])
        last_block = np.zeros(len(term_of_block), dtype=bool)
        last_block[first_block + blocks - 1] = True

        deltas = np.diff(docs, prepend=0)
        deltas[block_start] = docs[block_start]  # a block's first id is whole, the rest are deltas
        weights = postings.weights
        stored32 = weights.astype(np.float32).astype(np.float64)  # blocks keep weights as float32
        max_weight = np.maximum.reduceat(weights, block_start)
        min_weight = np.minimum.reduceat(weights, block_start)
        if postings.lengths is not None:
            min_length = length_bytes(np.minimum.reduceat(postings.lengths, block_start))
            max_length = length_bytes(np.maximum.reduceat(postings.lengths, block_start))
        else:
            min_length = max_length = np.zeros(len(block_start), dtype=np.int64)

        info = np.zeros(terms, dtype=_TERM_INFO)
        info["weight"] = np.add.reduceat(np.add.reduceat(stored32, block_start), first_block)
        info["df"] = counts
        info["minlength"] = np.minimum.reduceat(min_length, first_block)
        info["maxlength"] = np.maximum.reduceat(max_length, first_block)
        info["maxweight"] = np.maximum.reduceat(max_weight, first_block)
        info["minid"] = docs[starts[:-1]]
        info["maxid"] = docs[starts[1:] - 1]
        offsets = np.zeros(terms, dtype=np.int64)
        ends = np.zeros(terms, dtype=np.int64)
        block_positions = np.zeros(len(block_start), dtype=np.int64)

        delta_list = deltas.tolist()
        weight_list = stored32.tolist()
        values = postings.values
        block_rows = zip(block_start.tolist(), block_end.tolist(), term_of_block.tolist(), last_block.tolist(),
                         docs[block_end - 1].tolist(), max_weight.tolist(), min_weight.tolist(),
                         min_length.tolist(), max_length.tolist())
        buffer, dumps = self._buffer, _dumps
        for block, (start, end, term, last, last_id, top, bottom, short, long) in enumerate(block_rows):
            if start == starts[term]:
                offsets[term] = self._offset + len(buffer)
                buffer += WHOOSH3_HEADER_MAGIC
            block_positions[block] = self._offset + len(buffer)
            if bottom == top:  # W3PostingsWriter._mini_weights: None for all 1.0, one float for all equal
                mini_weights: Any = None if top == 1.0 else weight_list[start]
            else:
                mini_weights = tuple(weight_list[start:end])
            mini_values = None if values is None else tuple(values[start:end])
            plain = dumps((tuple(delta_list[start:end]), mini_weights, mini_values), _DATA_PROTOCOL)
            data, level = _packed(plain, COMPRESSION)
            header = dumps((end - start, last_id, top, level, short, long), 2)
            size = len(header) + len(data)
            buffer += pack_int(-size if last else size)
            buffer += header
            buffer += data
            if last:
                ends[term] = self._offset + len(buffer)
            if len(buffer) >= 1 << 22:
                self._flush()
        info["offset"] = offsets
        info["length"] = ends - offsets
        for term in np.flatnonzero(counts >= MIN_POSTINGS).tolist():
            blocks_of_term = slice(first_block[term], first_block[term] + blocks[term])
            rows = slice(starts[term], starts[term + 1])
            self._ids.add(int(offsets[term]), docs[rows], stored32[rows], block_start[blocks_of_term] - starts[term],
                          block_positions[blocks_of_term] - offsets[term])
        records = info.tobytes()
        size = _TERM_INFO.itemsize
        self._add_terms(fieldname, ((term, records[i * size : (i + 1) * size]) for i, term in enumerate(postings.terms)))

    def add_blocks(self, fieldname: str, term: bytes, parts: Sequence[tuple[Any, TermRecord, int]]) -> None:
        """Write one term whose postings are the blocks of other segments' postings files, each
        part's document numbers shifted by a constant (`parts`: segment reader, term record, shift;
        no deleted document among them). The blocks stay as they are but for the first id of each,
        the only one written whole, and its header's last id; a term's parts stay separate blocks."""
        buffer = self._buffer
        offset = self._offset + len(buffer)
        term_start = len(buffer)
        buffer += WHOOSH3_HEADER_MAGIC
        records = [record for _, record, _ in parts]
        df = sum(r.df for r in records)
        with_ids = df >= MIN_POSTINGS  # the term gets an `.ids` entry
        # For it: each part's postings (from its own `.ids` file, else from its blocks, read here
        # when they are copied as they are, or as they are inflated to shift them), and where each
        # block is written; None for a part not in the layout `read_blocks` reads.
        reads: list[Read | None] = []
        blocks: list[int] = []
        for number, (reader, record, shift) in enumerate(parts):
            raw = self._postings_of(reader, record)
            if raw[:4] != WHOOSH3_HEADER_MAGIC:
                raise ValueError(f"damaged postings of {fieldname}:{term!r}")
            read = _part_postings(reader, record) if with_ids else None
            last_part = number == len(parts) - 1
            if not shift:  # the blocks as they are; only the last one's size may change its sign
                if with_ids and read is None:
                    read = read_blocks(raw, record.offset)
                reads.append(read)
                if read is not None:
                    blocks += [len(buffer) - term_start + position - record.offset - 4 for position in read[3]]
                last_size = _last_block_size(raw)
                buffer += raw[4:last_size]
                size = unpack_int(raw[last_size : last_size + 4])[0]
                buffer += pack_int(size if last_part else -size)
                buffer += raw[last_size + 4 :]
                continue
            inflated: list[tuple[int, bytes]] | None = [] if with_ids and read is None else None
            position, last_block = 4, False
            while not last_block:
                stored_size = unpack_int(raw[position : position + 4])[0]
                last_block, block_end = stored_size < 0, position + 4 + abs(stored_size)
                count, last_id, top, comp, short, long, data_start = _block_header(raw, position + 4, block_end)
                data, comp, plain = _shift_first_id(raw[data_start:block_end], comp, shift)
                if inflated is not None:
                    inflated.append((count, plain))
                header = _dumps((count, last_id + shift, top, comp, short, long), 2)
                size = len(header) + len(data)
                blocks.append(len(buffer) - term_start)
                buffer += pack_int(-size if last_block and last_part else size)
                buffer += header
                buffer += data
                position = block_end
            reads.append(read if inflated is None else _from_blocks(inflated))
        info = _TERM_STRUCT.pack(0, sum(r.weight for r in records), df,
                                 min(r.min_length for r in records), max(r.max_length for r in records),
                                 max(r.max_weight for r in records), records[0].min_id + parts[0][2],
                                 records[-1].max_id + parts[-1][2])
        length = self._offset + len(buffer) - offset
        self._add_terms(fieldname, [(term, info + pack_long(offset) + pack_int(length))])
        if with_ids and None not in reads:
            read_parts = [read for read in reads if read is not None]
            rows = np.cumsum([0] + [len(read[0]) for read in read_parts[:-1]])
            self._ids.add(offset, np.concatenate([read[0] + shift for read, (_, _, shift) in zip(read_parts, parts)]),
                          np.concatenate([read[1] for read in read_parts]),
                          np.concatenate([np.asarray(read[2]) + row for read, row in zip(read_parts, rows)]),
                          np.array(blocks))
        if len(buffer) >= 1 << 22:
            self._flush()

    def add_singles(self, fieldname: str, singles: Sequence[tuple[bytes, Any, TermRecord, int]]) -> None:
        """Terms of one posting each ((term, segment reader, its record, shift), in order), written
        as `add_blocks` writes them, without unpickling their blocks: in a large import most terms
        are such (every document's id, and the words of one document)."""
        entries: list[tuple[bytes, bytes]] = []
        for term, reader, record, shift in singles:
            raw = self._postings_of(reader, record)
            moved = _moved_single(raw, record.min_id, shift)
            if moved is None:
                self._add_terms(fieldname, entries)
                entries = []
                self.add_blocks(fieldname, term, [(reader, record, shift)])
                continue
            info = _TERM_STRUCT.pack(0, record.weight, 1, record.min_length, record.max_length, record.max_weight,
                                     record.min_id + shift, record.max_id + shift)
            entries.append((term, info + pack_long(self._offset + len(self._buffer)) + pack_int(len(moved))))
            self._buffer += moved
            if len(self._buffer) >= 1 << 22:
                self._flush()
        self._add_terms(fieldname, entries)

    def _flush(self) -> None:
        self._postings.write(bytes(self._buffer))
        self._offset += len(self._buffer)
        self._buffer.clear()

    def close(self) -> None:
        self._flush()
        if self._index is not None:
            self._index.close()
        self._postings.close()
        self._ids.close()


def _part_postings(reader: Any, record: TermRecord) -> Read | None:
    """A merged term's postings in one of the segments merged, from that segment's `.ids` file
    (None: it does not have them)."""
    docids = docids_of(reader) if record.df >= MIN_POSTINGS else None
    if docids is None:
        return None
    return docids.read(record.offset, record.length, record.df, record.min_id, record.max_id, reader.doc_count_all())


def _from_blocks(inflated: Sequence[tuple[int, bytes]]) -> Read | None:
    """The postings of a term's blocks (count, inflated data) in turn: ids, weights and each block's
    first row (their positions are where they are written, not given here)."""
    ids, weights, rows, row = [], [], [], 0
    for count, plain in inflated:
        found = block_postings(plain, count)
        if found is None:
            return None
        ids.append(found[0])
        weights.append(found[1])
        rows.append(row)
        row += count
    return np.concatenate(ids), np.concatenate(weights), rows, []


def _shift_first_id(data: bytes, comp: int, shift: int) -> tuple[bytes | bytearray, int, bytes]:
    """A block's data (zlib level `comp`, or plain) with the first of its ids — the pickle's first
    integer, right after the protocol header, or after the MARK of a tuple of more than three — moved
    by `shift`, the level it is now compressed at (MERGE_COMPRESSION; plain if it was, or below
    `_PLAIN_BELOW` bytes), and the data before, inflated; the other ids are deltas and stay. Nothing
    else moves: pickle memo references count objects, not bytes."""
    plain = inflate(data) if comp else data
    start = 3 if plain[2:3] == b"(" else 2
    width = INT_WIDTH[plain[start : start + 1]]
    value = pickled_int(plain[start : start + 1 + width]) + shift
    shifted = plain[:start] + _pickled(value) + plain[start + 1 + width :]
    return (*_packed(shifted, MERGE_COMPRESSION if comp else 0), plain)


def _pickled(value: int) -> bytes:
    """A document number as pickle (protocol 2) writes it."""
    if value < 0x100:
        return b"K" + value.to_bytes(1, "little")
    if value < 0x10000:
        return b"M" + value.to_bytes(2, "little")
    return b"J" + value.to_bytes(4, "little", signed=True)


# A term of one posting: its postings are one block, whose header pickle starts with its count (1)
# and its last id, the posting's document number, which its data pickle starts with too.
_SINGLE_HEADER = b"\x80\x02(K\x01"
_SINGLE_ID_AT = 8 + len(_SINGLE_HEADER)  # after the magic number and the block's size


def _moved_single(raw: bytes, docnum: int, shift: int) -> bytes | None:
    """The postings `raw` of a term of one posting, `docnum`, in a plain block, with the document
    moved by `shift`: the bytes `_TermsWriter.add_blocks` writes for them, without unpickling the
    header. None: not that layout (a compressed block, say)."""
    if raw[:4] != WHOOSH3_HEADER_MAGIC or raw[8:_SINGLE_ID_AT] != _SINGLE_HEADER or \
            unpack_int(raw[4:8])[0] != 8 - len(raw):  # one block, the last (its size stored negative)
        return None
    width = INT_WIDTH.get(raw[_SINGLE_ID_AT : _SINGLE_ID_AT + 1])
    header = BLOCK_HEADER.match(raw, 8)
    if width is None or header is None or header.group(2) != b"\x00":
        return None
    data = header.end()
    if raw[data : data + 2] not in DATA_PROTOCOLS:
        return None
    start = data + (3 if raw[data + 2 : data + 3] == b"(" else 2)
    data_width = INT_WIDTH.get(raw[start : start + 1])
    old = raw[_SINGLE_ID_AT : _SINGLE_ID_AT + 1 + width]
    if data_width is None or raw[start : start + 1 + data_width] != old or pickled_int(old) != docnum:
        return None
    moved = _pickled(docnum + shift)
    body = (raw[8:_SINGLE_ID_AT] + moved + raw[_SINGLE_ID_AT + 1 + width : start] + moved
            + raw[start + 1 + width :])
    return raw[:4] + pack_int(-len(body)) + body


def _packed(plain: bytes, level: int) -> tuple[bytes | bytearray, int]:
    """A block's data as written, and the zlib level its header gives: compressed at `level`, or
    plain (0) for level 0 or fewer than `_PLAIN_BELOW` bytes."""
    if level and len(plain) >= _PLAIN_BELOW:
        return zlib_compress(plain, level), level
    return plain, 0


def _last_block_size(raw: bytes) -> int:
    """Where the size of a term's last block is (the one stored negative) in its postings."""
    position = 4
    while True:
        size = unpack_int(raw[position : position + 4])[0]
        if size < 0:
            return position
        position += 4 + size


def _block_header(raw: bytes, start: int, end: int) -> tuple[Any, ...]:
    """A block's header (count, last id, top weight, zlib level, shortest and longest length byte)
    and where its data starts. The usual layout, which `BLOCK_HEADER` checks holds nothing but
    numbers, is read by pickle's C loader; anything else by the strict one."""
    found = BLOCK_HEADER.match(raw, start, end)
    if found is not None:
        return (*pickle.loads(raw[start : found.end()]), found.end())
    header_file = io.BytesIO(raw)
    header_file.seek(start)
    return (*safe_load(header_file), header_file.tell())


class _PostingsWindow:
    """A segment's postings file read a megabyte at a time: a merge reads its terms' postings in
    order, most of them a few dozen bytes (each read through the compound file costs microseconds)."""

    def __init__(self, postfile: Any) -> None:
        self._file = postfile
        self._start = 0
        self._data = b""

    def get(self, offset: int, length: int) -> bytes:
        at = offset - self._start
        if at < 0 or at + length > len(self._data):
            self._start, at = offset, 0
            self._data = self._file.get(offset, max(length, 1 << 20))
        return self._data[at : at + length]


class TermRecord:
    """A term's entry in a segment's term table (W3TermInfo's bytes), the fields a merge uses."""

    __slots__ = ("weight", "df", "min_length", "max_length", "max_weight", "min_id", "max_id", "offset",
                 "length", "inlined")

    def __init__(self, value: bytes) -> None:
        (self.inlined, self.weight, self.df, self.min_length, self.max_length, self.max_weight, self.min_id,
         self.max_id) = _TERM_STRUCT.unpack_from(value)
        if not self.inlined:
            self.offset, self.length = _EXTENT.unpack_from(value, _TERM_STRUCT.size)


def _term_records(reader: Any, low: tuple[str, bytes] | None = None,
                  chunk: int = 1 << 20) -> Iterator[tuple[tuple[str, bytes], TermRecord]]:
    """Every term of a segment ((field name, term bytes), its record) from `low` on (None: the
    first), in the order of its term table, read a megabyte at a time (Whoosh's own iteration makes
    a few small reads a term). The table is in that order (fields are numbered in name order)."""
    table = reader._terms._tindex
    names = {number: name for name, number in reader._terms._fieldmap.items()}
    position, end = table.startofdata, table.endofdata
    if low is not None:  # where the first term from `low` on is, by the table's sorted index
        following = sorted((name, number) for number, name in names.items() if name >= low[0])
        if not following:
            return
        name, number = following[0]
        found = table.closest_key_pos(pack_ushort(number) + (low[1] if name == low[0] else b""))
        if found is None:
            return
        position = found
    data, at = b"", 0
    while True:
        if len(data) - at >= _RECORD_LENGTHS.size:
            key_length, value_length = _RECORD_LENGTHS.unpack_from(data, at)
            key = at + _RECORD_LENGTHS.size
            value = key + key_length
            if value + value_length <= len(data):
                field = names[int.from_bytes(data[key : key + 2], "big")]
                yield (field, data[key + 2 : value]), TermRecord(data[value : value + value_length])
                at = value + value_length
                continue
        if position >= end:
            break
        read = min(chunk, end - position)
        data, at = data[at:] + table.dbfile.get(position, read), 0
        position += read
    if at != len(data):
        raise ValueError("damaged term table")


def _generic_postings(fieldobj: Any, items: list[tuple[bytes, int, float, bytes]]) -> PostingArrays:
    """The postings of a field indexed through Whoosh's own `field.index` (ids, keywords, values): a
    few terms a document, sorted here as Whoosh's pool sorts them."""
    items.sort(key=lambda item: (item[0], item[1]))
    terms: list[bytes] = []
    starts: list[int] = []
    for i, (term, *_rest) in enumerate(items):
        if not terms or term != terms[-1]:
            terms.append(term)
            starts.append(i)
    starts.append(len(items))
    fixed = fieldobj.format.fixed_value_size()
    values = None if fixed == 0 else [item[3] for item in items]
    return PostingArrays(terms, np.array(starts, dtype=np.int64), np.array([item[1] for item in items], dtype=np.int64),
                    np.array([item[2] for item in items], dtype=np.float64), values, None)


# -- new segments ----------------------------------------------------------------------------------

class _Numbering(dict[str, int]):
    """Numbers terms in the order they come: looking one up numbers it if it is new (from C, for
    all but the new ones)."""

    def __missing__(self, term: str) -> int:
        number = self[term] = len(self)
        return number


class _TextField:
    """One text field's tokens over a segment's documents, as flat arrays."""

    def __init__(self) -> None:
        self.term_ids = _Numbering()
        self.tokens = array("i")  # term id of each token, document after document
        self.positions = array("i")
        self.counts = array("i", [])  # tokens of each document (0: none or no text)

    def add(self, docnum: int, pairs: list[tuple[int, str]]) -> None:
        counts = self.counts
        if len(counts) < docnum:
            counts.extend([0] * (docnum - len(counts)))
        counts.append(len(pairs))
        if pairs:
            positions, terms = zip(*pairs)
            self.tokens.extend(map(self.term_ids.__getitem__, terms))
            self.positions.extend(positions)

    def runs(self, doccount: int) -> Iterator[PostingArrays]:
        """The field's postings, in runs of whole terms of about `_RUN_POSTINGS` postings (their
        encoded values, one bytes object each, are made a run at a time)."""
        counts = np.zeros(doccount, dtype=np.int64)
        counts[: len(self.counts)] = np.frombuffer(self.counts, dtype=np.int32)
        words = list(self.term_ids)
        order = sorted(range(len(words)), key=words.__getitem__)  # str order is UTF-8 byte order
        rank = np.empty(len(words), dtype=np.int32)
        rank[order] = np.arange(len(words), dtype=np.int32)
        keys = rank[np.frombuffer(self.tokens, dtype=np.int32)]
        self.tokens = array("i")  # (each of these arrays is let go as soon as its sorted copy is made)
        sort = np.argsort(keys, kind="stable")  # tokens come by document and position: kept so
        keys = keys[sort]
        positions = np.frombuffer(self.positions, dtype=np.int32)[sort]
        self.positions = array("i")
        docs = np.repeat(np.arange(doccount, dtype=np.int32), counts)[sort]
        del sort
        token_count = len(keys)
        new = np.ones(token_count, dtype=bool)
        new[1:] = (keys[1:] != keys[:-1]) | (docs[1:] != docs[:-1])
        first = np.flatnonzero(new)  # each posting's first token
        del new
        freqs = np.diff(np.append(first, token_count))
        deltas = np.diff(positions, prepend=0)
        deltas[first] = positions[first]
        del positions
        posting_keys = keys[first]
        del keys
        term_first = np.flatnonzero(np.diff(posting_keys, prepend=-1))
        starts = np.append(term_first, len(first))  # each term's first posting
        posting_docs = docs[first].astype(np.int64)
        del docs
        decoded = _BYTE_LENGTHS[length_bytes(counts)][posting_docs]
        terms = [words[order[k]].encode("utf-8") for k in posting_keys[term_first].tolist()]
        token_starts = np.append(first, token_count)
        cuts = distinct(np.searchsorted(starts, np.arange(0, len(first), _RUN_POSTINGS), side="right") - 1)
        for low, high in zip(cuts.tolist(), [*cuts[1:].tolist(), len(terms)]):
            a, b = int(starts[low]), int(starts[high])
            values = positions_values(freqs[a:b], deltas[token_starts[a] : token_starts[b]])
            yield PostingArrays(terms[low:high], starts[low : high + 1] - a, posting_docs[a:b], freqs[a:b].astype(np.float64),
                           values, decoded[a:b])


def _is_fast(field: Any) -> bool:
    """A text field whose terms and positions come straight from the Bulgarian pipeline."""
    return (type(field.format) is formats.Positions and isinstance(field.analyzer, BulgarianAnalyzer)
            and field.format.field_boost == 1.0 and field.scorable)


def _index(field: Any, value: Any) -> Any:
    """`field.index(value)`; for a plain ID field (the whole value is the term) without the token
    objects."""
    if type(field.analyzer) is IDTokenizer and type(field.format) is formats.Existence and isinstance(value, str):
        return ((value.encode("utf-8"), 1, field.format.field_boost, b""),)
    return field.index(value)


def _new_segment(storage: Any, indexname: str) -> Any:
    return W3Codec().new_segment(storage, indexname)


def write_segment(storage: Any, schema: Any, indexname: str, rows: list[Any],
                  progress: Callable[[int], None] | None = None) -> Any:
    """Write `rows` (Whoosh field dicts, as `SegmentWriter.add_document` takes them, without
    `_boost` keys) as a new compound segment of `storage`; returns it, uncommitted. `progress` is
    called with the number of rows analyzed since its last call. `rows` is used up: each place is
    set to None once its document is analyzed and stored, so a chunk's texts are not held while its
    postings are sorted (12,500 law units: ~45 MB less at the peak)."""
    segment = _new_segment(storage, indexname)
    perdoc = W3PerDocWriter(W3Codec(), storage, segment)
    perdoc._get_column("_stored")._child._compress = zlib_compress  # under the pickling wrapper
    text: dict[str, _TextField] = {}
    other: dict[str, list[tuple[bytes, int, float, bytes]]] = {}
    fast = {name: field.analyzer.pipeline.positioned_terms for name, field in schema.items() if _is_fast(field)}
    try:
        for docnum, row in enumerate(rows):
            rows[docnum] = None
            perdoc.start_doc(docnum)
            for name in sorted(name for name in row if not name.startswith("_")):
                value = row[name]
                if value is None:
                    continue
                if name not in schema:
                    raise UnknownFieldError(f"No field named {name!r} in {schema}")
                field = schema[name]
                length = 0
                if name in fast:
                    pairs = fast[name](value)
                    text.setdefault(name, _TextField()).add(docnum, pairs)
                    length = len(pairs)
                elif field.indexed:
                    items = other.setdefault(name, [])
                    for term, freq, weight, encoded in _index(field, value):
                        items.append((term, docnum, float(weight), encoded))
                        if field.scorable:
                            length += freq
                stored = row.get(f"_stored_{name}", value)
                perdoc.add_field(name, field, stored if field.stored else None, length)
                if field.column_type and stored is not None:
                    perdoc.add_column_value(name, field.column_type, field.to_column_value(stored))
            perdoc.finish_doc()
            if progress and docnum % _PROGRESS_EVERY == _PROGRESS_EVERY - 1:
                progress(_PROGRESS_EVERY)
        if progress and len(rows) % _PROGRESS_EVERY:
            progress(len(rows) % _PROGRESS_EVERY)
        perdoc.close()
        terms = _TermsWriter(storage, segment)
        for name in sorted({*text, *other}):
            if name in text:
                for run in text.pop(name).runs(len(rows)):
                    terms.add(name, run)
            else:
                terms.add(name, _generic_postings(schema[name], other.pop(name)))
        terms.close()
    except BaseException:
        if not perdoc.is_closed:
            perdoc.close()
        raise
    segment.set_doc_count(len(rows))
    segment.create_compound_file(storage)
    return segment


# -- merging ---------------------------------------------------------------------------------------

Parallel = Callable[[Callable[[Any], Any], Sequence[Any]], Callable[[], Iterator[Any]]]
"""Runs a function on each job in other processes (the import's workers), each job to the first one
free; returns a call that yields the results in order, each as soon as it is there."""

PARALLEL_MERGE_DOCS = 20_000  # smaller merges take well under a second: not worth the hand-over
_TERM_COST_BYTES = 300  # a term's work in a merge beyond its postings', in bytes of postings copied
RANGES_PER_WORKER = 4  # ranges of terms a worker merges, one after another: who ends first takes the next


def merge_segments(storage: Any, schema: Any, indexname: str, segments: Sequence[Any],
                   parallel: tuple[Parallel, int] | None = None) -> Any:
    """One new compound segment of the live documents of `segments`, in their order; returns it,
    uncommitted (the caller drops the old segments in the same commit). `parallel`: a way to run
    jobs in other processes and how many: the postings are then merged by ranges of terms of about
    equal work, RANGES_PER_WORKER a process (so none waits long for the last), while this process
    copies the stored fields, then appends each range's postings as it is done."""
    segment = _new_segment(storage, indexname)
    readers = _plain_readers(storage, schema, segments)
    try:
        documents = _Documents(schema, readers)
        terms = _TermsWriter(storage, segment)
        ranges = (_term_ranges(readers, parallel[1] * RANGES_PER_WORKER)
                  if parallel and documents.count >= PARALLEL_MERGE_DOCS else [])
        if len(ranges) > 1:
            assert parallel is not None
            jobs = [_PostingsJob(storage.folder, indexname, list(segments), documents.docmaps, documents.lengths,
                                 low, high, segment.make_filename(f".part{number}"))
                    for number, (low, high) in enumerate(ranges)]
            results = parallel[0](_merge_postings_part, jobs)
            documents.write(storage, segment, readers)  # meanwhile
            for job, part in zip(jobs, results()):
                terms.append_part(storage, job.file_name, part)
        else:
            documents.write(storage, segment, readers)
            _merge_postings(terms, schema, readers, documents.docmaps, documents.lengths)
        terms.close()
    finally:
        for reader in readers:
            reader.close()
    segment.set_doc_count(documents.count)
    segment._fieldlengths = documents.totals
    segment.create_compound_file(storage)
    return segment


def _plain_readers(storage: Any, schema: Any, segments: Sequence[Any]) -> list[Any]:
    """Readers of the segments a merge reads, with plain reads, not maps: a merge reads every page
    of them, and mapped, they would count in the process's memory (~2 bytes a merged document's byte)."""
    from whoosh.reading import SegmentReader

    reading = copy.copy(storage)
    reading.supports_mmap = False
    return [SegmentReader(reading, schema, seg) for seg in segments]


class _Documents:
    """The documents of segments being merged: each reader's document map (old number → new, -1:
    deleted), the length bytes and decoded lengths of each scored field, the exact total length of
    each field; `write` copies the live documents' stored fields (their compressed bytes, as they
    are) and length bytes into the new segment."""

    def __init__(self, schema: Any, readers: Sequence[Any]) -> None:
        self.scored = sorted(name for name, field in schema.items() if field.scorable)
        self.docmaps: list[np.ndarray] = []
        self.length_bytes: list[dict[str, np.ndarray]] = []
        length_parts: dict[str, list[np.ndarray]] = {name: [] for name in self.scored}
        totals: dict[str, int] = {}
        new = 0
        for reader in readers:
            source = reader._perdoc
            count = source.doc_count_all()
            live = np.ones(count, dtype=bool)
            if reader.has_deletions():
                live[list(source.deleted_docs())] = False
            self.docmaps.append(np.where(live, np.cumsum(live) - 1 + new, -1))
            new += int(live.sum())
            bytes_of = {name: length_codes(source, name, count).astype(np.int64) for name in self.scored}
            self.length_bytes.append(bytes_of)
            recorded: Mapping[str, int] = getattr(reader.segment(), "_fieldlengths", None) or {}
            deleted_lengths = _deleted_lengths(schema, reader, np.flatnonzero(~live).tolist(), self.scored)
            for name in self.scored:
                decoded = np.where(bytes_of[name] > 0, _BYTE_LENGTHS[bytes_of[name]], 0)
                length_parts[name].append(decoded[live])
                if name in recorded:  # the segment's exact total, less its deleted documents'
                    total = recorded[name] - (deleted_lengths[name] if name in deleted_lengths
                                              else int(decoded[~live].sum()))
                else:
                    total = int(decoded[live].sum())
                totals[name] = totals.get(name, 0) + total
        self.count = new
        self.lengths = {name: np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
                        for name, parts in length_parts.items()}
        self.totals = {name: total for name, total in totals.items() if total}

    def write(self, storage: Any, segment: Any, readers: Sequence[Any]) -> None:
        """Write the live documents' stored fields and length bytes, in runs of documents at once:
        the bytes Whoosh's per-document writer would write, document by document."""
        perdoc = W3PerDocWriter(W3Codec(), storage, segment)
        stored_out = perdoc._get_column("_stored")._child  # compressed bytes, under the pickling wrapper
        for reader, docmap in zip(readers, self.docmaps):
            stored_in = reader._perdoc.column_reader("_stored", STORED_COLUMN)._child
            live = np.flatnonzero(docmap >= 0)
            lengths = np.frombuffer(stored_in._lengths, dtype=stored_in._lengths.typecode)[live].astype(np.int64)
            starts = np.frombuffer(stored_in._offsets, dtype=stored_in._offsets.typecode)[live].astype(np.int64)
            # each run of documents whose values lie one after another is read and written at once
            breaks = np.flatnonzero(starts[1:] != starts[:-1] + lengths[:-1]) + 1
            for first, end in zip([0, *breaks.tolist()], [*breaks.tolist(), len(live)]):
                size = int(lengths[first:end].sum())
                if size:
                    stored_out._dbfile.write(stored_in._dbfile.get(stored_in._basepos + int(starts[first]), size))
            stored_out._lengths.extend(lengths.tolist())
            stored_out._offsets.extend((stored_out._offset_base + np.cumsum(lengths) - lengths).tolist())
            stored_out._offset_base += int(lengths.sum())
        stored_out._count = perdoc._doccount = self.count  # (the column's `finish` fills up to its count)
        for name in self.scored:
            codes = np.concatenate([bytes_of[name][docmap >= 0] for bytes_of, docmap in zip(self.length_bytes,
                                                                                           self.docmaps)])
            given = np.flatnonzero(codes)
            if len(given):  # the column as NumericColumn("B")'s writer leaves it: up to its last value
                perdoc._create_column(_lenfield(name), LENGTHS_COLUMN)
                perdoc._get_column(_lenfield(name))._dbfile.write(codes[: given[-1] + 1].astype(np.uint8).tobytes())
        perdoc.close()


def _deleted_lengths(schema: Any, reader: Any, deleted: list[int], scored: list[str]) -> dict[str, int]:
    """The exact total length of each scored field over the `deleted` documents, for the fields whose
    length is their stored text's term count (a length byte is only an approximation)."""
    exact = [name for name in scored if name in schema and _is_fast(schema[name]) and schema[name].stored]
    totals = dict.fromkeys(exact, 0)
    for docnum in deleted if exact else ():
        stored = reader.stored_fields(docnum)
        for name in exact:
            if isinstance(stored.get(name), str):
                totals[name] += len(schema[name].analyzer.pipeline.positioned_terms(stored[name]))
    return totals


def _merge_postings(terms: _TermsWriter, schema: Any, readers: Sequence[Any], docmaps: Sequence[np.ndarray],
                    lengths: Mapping[str, np.ndarray], low: tuple[str, bytes] | None = None,
                    high: tuple[str, bytes] | None = None) -> None:
    """Write the merged postings, field by field in name order and term by term. A term none of
    whose postings belongs to a deleted document keeps its blocks (`_TermsWriter.add_blocks`); the
    others are read whole, the deleted documents' postings dropped, and written anew in runs."""
    dead_before = [np.concatenate([[0], np.cumsum(docmap < 0)]) for docmap in docmaps]

    def entries(index: int) -> Iterator[tuple[tuple[str, bytes], int, TermRecord]]:
        for key, record in _term_records(readers[index], low):
            if high is not None and key >= high:
                return
            if key[0] in schema:
                yield key, index, record

    def shift(index: int, record: TermRecord) -> int | None:
        """How far the term's documents in this reader move, if none of them is deleted."""
        if record.inlined:
            return None
        low, high = record.min_id, record.max_id
        if dead_before[index][high + 1] != dead_before[index][low]:
            return None
        return int(docmaps[index][low]) - low

    run: _Run | None = None
    singles: list[tuple[bytes, Any, TermRecord, int]] = []  # terms of one posting, written together

    def write_singles() -> None:
        if singles:
            assert run is not None
            terms.add_singles(run.fieldname, singles)
            singles.clear()

    for (fieldname, term), group in _grouped(heapq.merge(*(entries(i) for i in range(len(readers))))):
        field = schema[fieldname]
        if run is None or run.fieldname != fieldname:
            if run is not None:
                write_singles()
                run.write(terms)
            run = _Run(fieldname, field, lengths.get(fieldname) if field.scorable else None)
        shifts = [shift(index, info) for index, info in group]
        if all(moved is not None for moved in shifts):
            if run.size:  # what came before this term first: terms go in order
                run = run.write(terms)
            if len(group) == 1 and group[0][1].df == 1:
                singles.append((term, readers[group[0][0]], group[0][1], int(shifts[0] or 0)))
                continue
            write_singles()
            terms.add_blocks(fieldname, term, [(readers[index], record, int(moved or 0))
                                               for (index, record), moved in zip(group, shifts)])
            continue
        write_singles()
        for index, _ in group:
            run.add_term(readers[index], term, docmaps[index])
        run.end_term(term)
        if run.size >= _RUN_POSTINGS:
            run = run.write(terms)
    if run is not None:
        write_singles()
        run.write(terms)


def _term_ranges(readers: Sequence[Any], parts: int) -> list[tuple[tuple[str, bytes] | None, tuple[str, bytes] | None]]:
    """`parts` ranges of terms [low, high) (None: open) of about equal work each, from a sample of
    every segment's terms (the segments' terms may lie apart: ids numbered in import order do)."""
    if parts < 2:
        return []
    samples = sorted(sample for reader in readers for sample in _term_samples(reader))
    if len(samples) < parts:
        return []
    work = np.cumsum([cost for _, cost in samples])
    cuts = np.searchsorted(work, work[-1] * np.arange(1, parts) / parts)
    bounds: list[tuple[str, bytes] | None] = [None, *(samples[int(cut)][0] for cut in cuts), None]
    return [(bounds[i], bounds[i + 1]) for i in range(parts) if bounds[i] is None or bounds[i] != bounds[i + 1]]


def _term_samples(reader: Any, count: int = 256) -> list[tuple[tuple[str, bytes], float]]:
    """Up to `count` terms of a segment, evenly apart in its term table, each with the merge work of
    the terms from the sample before up to it: _TERM_COST_BYTES a term, plus their postings' bytes.
    Read where the table's index puts them, not term by term."""
    table = reader._terms._tindex
    names = {number: name for name, number in reader._terms._fieldmap.items()}
    samples: list[tuple[tuple[str, bytes], float]] = []
    row_before, end_before = 0, 0
    for row in distinct(np.linspace(0, table.indexlen - 1, min(count, table.indexlen)).astype(np.int64)).tolist():
        position = table._get_pos(table.indexbase + row * table.indexsize)
        key_length, value_length = _RECORD_LENGTHS.unpack(table.dbfile.get(position, _RECORD_LENGTHS.size))
        data = table.dbfile.get(position + _RECORD_LENGTHS.size, key_length + value_length)
        record = TermRecord(data[key_length:])
        end = end_before if record.inlined else record.offset + record.length
        key = (names[int.from_bytes(data[:2], "big")], data[2:key_length])
        samples.append((key, (row - row_before) * _TERM_COST_BYTES + max(end - end_before, 0)))
        row_before, end_before = row, max(end, end_before)
    return samples


class _PostingsJob:
    """One range of terms of a merge, for a worker: where the index is, the segments and what
    `_Documents` found, and the file its postings go to."""

    def __init__(self, folder: str, indexname: str, segments: list[Any], docmaps: list[np.ndarray],
                 lengths: dict[str, np.ndarray], low: tuple[str, bytes] | None, high: tuple[str, bytes] | None,
                 file_name: str) -> None:
        self.folder, self.indexname, self.segments = folder, indexname, segments
        self.docmaps, self.lengths, self.low, self.high, self.file_name = docmaps, lengths, low, high, file_name


def _merge_postings_part(job: _PostingsJob) -> list[tuple[str, bytes, bytes]]:
    """Merge one range of terms into its own postings file; returns each term's table key and record
    (its postings' offset counted from the start of that file)."""
    from pathlib import Path

    from .store import worker_index

    ix = worker_index(Path(job.folder), job.indexname)
    readers = _plain_readers(ix.storage, ix.schema, job.segments)
    try:
        terms = _TermsWriter(ix.storage, None, job.file_name)
        _merge_postings(terms, ix.schema, readers, job.docmaps, job.lengths, job.low, job.high)
        terms.close()
        return terms.records
    finally:
        for reader in readers:
            reader.close()
        ix.close()


def _grouped(entries: Iterator[tuple[tuple[str, bytes], int, TermRecord]]
             ) -> Iterator[tuple[tuple[str, bytes], list[tuple[int, TermRecord]]]]:
    key: tuple[str, bytes] | None = None
    group: list[tuple[int, TermRecord]] = []
    for entry_key, index, info in entries:
        if entry_key != key:
            if key is not None:
                yield key, group
            key, group = entry_key, []
        group.append((index, info))
    if key is not None:
        yield key, group


class _Run:
    """The postings of consecutive terms of one field being merged, read whole."""

    def __init__(self, fieldname: str, field: Any, field_lengths: np.ndarray | None) -> None:
        self.fieldname, self.field, self.field_lengths = fieldname, field, field_lengths
        self.terms: list[bytes] = []
        self.starts = [0]
        self.docs: list[np.ndarray] = []
        self.weights: list[np.ndarray] = []
        self.values: list[bytes] | None = None if field.format.fixed_value_size() == 0 else []
        self.size = 0
        self._pending = 0

    def add_term(self, reader: Any, term: bytes, docmap: np.ndarray) -> None:
        """Add one reader's postings of the current term, without its deleted documents'."""
        ids, weights, values = read_whole(reader, self.fieldname, term)
        self._add(ids, weights, values if self.values is not None else None, docmap)

    def _add(self, ids: np.ndarray, weights: Any, values: Any, docmap: np.ndarray) -> None:
        new = docmap[ids]
        keep = new >= 0
        weights = np.asarray(weights, dtype=np.float64)
        if not keep.all():
            new, weights = new[keep], weights[keep]
            if values is not None:
                values = [value for value, kept in zip(values, keep.tolist()) if kept]
        if not len(new):
            return
        self.docs.append(new)
        self.weights.append(weights)
        if self.values is not None:
            self.values.extend(values)
        self._pending += len(new)

    def end_term(self, term: bytes) -> None:
        if self._pending:  # a term whose postings were all deleted documents' is dropped
            self.terms.append(term)
            self.size += self._pending
            self.starts.append(self.size)
            self._pending = 0

    def write(self, terms: _TermsWriter) -> _Run:
        """Write the run's terms; returns an empty run of the same field."""
        if self.size:
            docs = np.concatenate(self.docs)
            lengths = None if self.field_lengths is None else self.field_lengths[docs]
            terms.add(self.fieldname, PostingArrays(self.terms, np.array(self.starts, dtype=np.int64), docs,
                                                           np.concatenate(self.weights), self.values, lengths))
        return _Run(self.fieldname, self.field, self.field_lengths)
