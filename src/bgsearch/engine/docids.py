"""The document numbers and weights of a segment's common terms, in arrays numpy reads at once.

Whoosh's postings file holds a term's postings in blocks of 128, each a zlib'd pickle of ids,
weights and positions. Reading a common word's ids for the first time costs ~12 µs a block (a
millisecond for every 10,000 postings): at a million documents, most of a query's time the first
time it runs. Each segment bgsearch writes has one more file in its compound file,
`<segment>.ids`, holding the ids and weights of every term with at least `MIN_POSTINGS` postings,
and where each of its blocks starts (for the positions, read a block at a time when asked).
Whoosh's reader ignores the file; its postings stay the authority: an entry is used only if it
agrees with the term's record (count, first and last id), else the blocks are read.

Layout, little-endian throughout:

* magic `BGIDS01\\n`;
* each entry's data: the steps between consecutive ids (u1 or u2, whichever is smaller; 0 stands
  for a step too large, taken in order from the exceptions), the exceptions (u4), the weights (u1
  when all are whole numbers 1..255, else f4), each block's first posting and its offset in the
  term's postings (u4 each);
* the table: one `_ENTRY` per term, in the order of the terms' postings offsets, with its data's
  Adler-32 checksum (a damaged byte would otherwise be a wrong id or score, read without a word);
* the table's offset and its number of entries (u8 each), and the magic again.
"""

from __future__ import annotations

import zlib
from typing import Any

import numpy as np

__all__ = ["EXTENSION", "MIN_POSTINGS", "DocIds", "DocIdsWriter", "Read"]

EXTENSION = ".ids"
MIN_POSTINGS = 256  # fewer are two blocks or one: read as fast from the blocks
_MAGIC = b"BGIDS01\n"
_ENTRY = np.dtype([("postings", "<i8"), ("data", "<i8"), ("count", "<u4"), ("first", "<u4"),
                   ("exceptions", "<u4"), ("blocks", "<u4"), ("step_width", "u1"), ("weight_width", "u1"),
                   ("checksum", "<u4")])
_TRAILER = np.dtype([("table", "<u8"), ("entries", "<u8"), ("magic", "S8")])
_STEPS: dict[int, np.dtype[Any]] = {1: np.dtype("u1"), 2: np.dtype("<u2")}
_WEIGHTS: dict[int, np.dtype[Any]] = {1: np.dtype("u1"), 4: np.dtype("<f4")}
_STEP_LIMITS = {width: int(np.iinfo(dtype).max) for width, dtype in _STEPS.items()}
_INT32_END = 1 << 31

# A term's postings as a segment holds them: ids, weights, each block's first row, and each block's
# position in the postings file (absolute).
Read = tuple[np.ndarray, np.ndarray, list[int], list[int]]


def _encoded(ids: np.ndarray, weights: np.ndarray, block_rows: np.ndarray, block_offsets: np.ndarray
             ) -> tuple[bytes, tuple[int, ...]]:
    """An entry's data, and its count, first id, exceptions, blocks, step and weight widths, checksum."""
    steps = np.diff(ids)
    wide8, wide16 = int(np.count_nonzero(steps > 0xFF)), int(np.count_nonzero(steps > 0xFFFF))
    width, exceptions = (1, wide8) if len(steps) + 4 * wide8 <= 2 * len(steps) + 4 * wide16 else (2, wide16)
    wide = steps > (0xFF if width == 1 else 0xFFFF)
    whole = bool(np.all((weights >= 1) & (weights <= 255) & (weights == np.floor(weights))))
    data = b"".join((np.where(wide, 0, steps).astype(_STEPS[width]).tobytes(),
                     steps[wide].astype("<u4").tobytes(),
                     weights.astype(_WEIGHTS[1 if whole else 4]).tobytes(),
                     block_rows.astype("<u4").tobytes(), block_offsets.astype("<u4").tobytes()))
    return data, (len(ids), int(ids[0]), exceptions, len(block_rows), width, 1 if whole else 4, zlib.adler32(data))


class DocIdsWriter:
    """Writes a segment's (or a merge part's) `.ids` file: `add` terms in postings order, `close`."""

    def __init__(self, file: Any) -> None:
        self._file = file
        self._file.write(_MAGIC)
        self._at = len(_MAGIC)
        self._entries: list[tuple[int, ...]] = []

    def add(self, postings_offset: int, ids: np.ndarray, weights: np.ndarray, block_rows: np.ndarray,
            block_offsets: np.ndarray) -> None:
        """One term: its postings' offset in the postings file, its ids and weights, and each
        block's first row and offset from the term's postings start."""
        data, fields = _encoded(ids, weights, block_rows, block_offsets)
        self._entries.append((postings_offset, self._at, *fields))
        self._file.write(data)
        self._at += len(data)

    def append(self, file: Any, length: int, postings_shift: int) -> None:
        """Append another `.ids` file's entries (a merge part's, whose postings now start
        `postings_shift` bytes into this segment's postings file)."""
        table, data_end = _table(file, length)
        position = len(_MAGIC)
        while position < data_end:  # the data as it is, a few megabytes at a time
            piece = bytes(file.get(position, min(1 << 22, data_end - position)))
            self._file.write(piece)
            position += len(piece)
        moved = table.copy()
        moved["postings"] += postings_shift
        moved["data"] += self._at - len(_MAGIC)
        self._entries += [tuple(entry.item()) for entry in moved]
        self._at += data_end - len(_MAGIC)

    def close(self) -> None:
        table = np.array(self._entries, dtype=_ENTRY)
        if len(table) > 1 and not np.all(np.diff(table["postings"]) > 0):
            raise ValueError("terms added out of postings order")
        self._file.write(table.tobytes())
        self._file.write(np.array([(self._at, len(table), _MAGIC)], dtype=_TRAILER).tobytes())
        self._file.close()


def _trailer(file: Any, length: int) -> np.void:
    if length < len(_MAGIC) + _TRAILER.itemsize:
        raise ValueError("ids file too short")
    trailer = np.frombuffer(bytes(file.get(length - _TRAILER.itemsize, _TRAILER.itemsize)), dtype=_TRAILER)[0]
    if trailer["magic"] != _MAGIC or bytes(file.get(0, len(_MAGIC))) != _MAGIC:
        raise ValueError("not an ids file")
    return trailer


def _table(file: Any, length: int) -> tuple[np.ndarray, int]:
    """The entries of an `.ids` file, and where they start (where the entries' data ends)."""
    trailer = _trailer(file, length)
    start, entries = int(trailer["table"]), int(trailer["entries"])
    if start + entries * _ENTRY.itemsize != length - _TRAILER.itemsize:
        raise ValueError("ids file's table damaged")
    return np.frombuffer(bytes(file.get(start, entries * _ENTRY.itemsize)), dtype=_ENTRY), start


class DocIds:
    """A segment's `.ids` file, read: `read` gives a term's postings by where they start."""

    def __init__(self, file: Any, length: int) -> None:
        self._file = file
        self._table, self._data_end = _table(file, length)
        self._offsets = self._table["postings"]

    @classmethod
    def of(cls, storage: Any, segment: Any) -> DocIds | None:
        """The segment's file (None: a segment written without one, by Whoosh or an older bgsearch)."""
        name = segment.make_filename(EXTENSION)
        if not storage.file_exists(name):
            return None
        file = storage.open_file(name)
        magic = bytes(file.get(0, len(_MAGIC)))
        if magic != _MAGIC and magic.startswith(_MAGIC[:5]):  # another version's layout: the blocks serve
            return None
        return cls(file, storage.file_length(name))

    def read(self, postings_offset: int, postings_length: int, count: int, first: int, last: int,
             doc_count: int) -> Read | None:
        """The postings of the term whose postings start at `postings_offset` (None: not here, or
        the entry disagrees with the term's record — `count` postings from id `first` to `last` —
        or with the segment's `doc_count`). The ids come as int32 and the weights as float32 (each
        exact: a segment's document numbers, and weights as the blocks store them), which the
        postings cache keeps as they are."""
        at = int(self._offsets.searchsorted(postings_offset))
        if at == len(self._offsets) or self._offsets[at] != postings_offset:
            return None
        (_, start, stored_count, stored_first, exceptions, blocks, step_width, weight_width,
         checksum) = self._table[at].item()
        if (count != stored_count or first != stored_first or step_width not in _STEPS
                or weight_width not in _WEIGHTS or not 0 < blocks <= count or doc_count >= 1 << 31):
            return None
        size = (count - 1) * step_width + 4 * exceptions + count * weight_width + 8 * blocks
        if not len(_MAGIC) <= start <= self._data_end - size:
            return None
        data = self._file.get(start, size)
        if zlib.adler32(data) != checksum:  # a damaged byte would be a wrong id or score
            return None
        steps = np.frombuffer(data, dtype=_STEPS[step_width], count=count - 1)
        ids = np.empty(count, dtype=np.int32)
        ids[0] = first
        ids[1:] = steps
        at = (count - 1) * step_width
        wide_total = 0
        if exceptions:  # a 0 step stands for the next exception
            wide = np.flatnonzero(steps == 0) + 1
            exception_steps = np.frombuffer(data, dtype="<u4", count=exceptions, offset=at)
            if len(wide) != exceptions or exception_steps.min() < 1:
                return None
            ids[wide] = exception_steps
            wide_total = int(exception_steps.sum(dtype=np.int64))
            at += 4 * exceptions
        elif not steps.all():
            return None
        # The running sum below is in int32, which a sum past it would wrap: the steps are added up
        # first where their widths allow that.
        if (first + (count - 1) * _STEP_LIMITS[step_width] + wide_total >= _INT32_END
                and first + int(steps.sum(dtype=np.int64)) + wide_total >= _INT32_END):
            return None
        # Every step at least 1, the sum within the int32, and the last id the term's: the ids ascend to it.
        np.cumsum(ids, out=ids)
        if ids[-1] != last or last >= doc_count:
            return None
        weights = np.frombuffer(data, dtype=_WEIGHTS[weight_width], count=count, offset=at)
        if weight_width == 1:
            weights = weights.astype(np.float32)
        at += count * weight_width
        rows = np.frombuffer(data, dtype="<u4", count=blocks, offset=at)
        offsets = np.frombuffer(data, dtype="<u4", count=blocks, offset=at + 4 * blocks)
        if (rows[0] != 0 or rows[-1] >= count or offsets[0] != 4 or offsets[-1] >= postings_length
                or not (_increasing(rows) and _increasing(offsets))):
            return None
        return ids, weights, rows.tolist(), [postings_offset + offset for offset in offsets.tolist()]


def _increasing(numbers: np.ndarray) -> bool:
    return len(numbers) < 2 or bool((numbers[1:] > numbers[:-1]).all())
