"""The `.ids` file (engine/docids.py): each common term's ids and weights as arrays beside Whoosh's
postings. What it holds is read back exactly, whatever the steps and weights; an entry that does not
agree with its term's record, or whose bytes were damaged, is not used (the blocks are read instead).
That every segment's file holds what Whoosh's postings hold is tested in test_bulk.py."""

from __future__ import annotations

import numpy as np
import pytest
from whoosh.filedb.filestore import RamStorage

from bgsearch.engine.docids import DocIds, DocIdsWriter

# Steps that fit a byte; some that need two (u1 with exceptions, or u2); some beyond two bytes.
SMALL = np.cumsum(np.r_[7, np.full(299, 3)])
MIXED = np.cumsum(np.r_[0, np.where(np.arange(299) % 5 == 0, 300, 2)])
WIDE = np.cumsum(np.r_[2, np.where(np.arange(299) % 3 == 0, 70_000, 400)])


def _file(terms: list[tuple[int, np.ndarray, np.ndarray]]) -> tuple[RamStorage, DocIds]:
    storage = RamStorage()
    writer = DocIdsWriter(storage.create_file("seg.ids"))
    for offset, ids, weights in terms:
        writer.add(offset, ids, weights, np.array([0, 128, 256]), np.array([4, 700, 1500]))
    writer.close()
    return storage, DocIds(storage.open_file("seg.ids"), storage.file_length("seg.ids"))


@pytest.mark.parametrize("ids", [SMALL, MIXED, WIDE], ids=["byte steps", "some wide steps", "steps over 65535"])
@pytest.mark.parametrize("weights", [np.ones(300), 1.0 + np.arange(300) % 7, np.full(300, 0.5)],
                         ids=["all 1", "whole numbers", "fractions"])
def test_a_terms_ids_weights_and_blocks_are_read_back_exactly(ids: np.ndarray, weights: np.ndarray) -> None:
    _, docids = _file([(40, SMALL, np.ones(300)), (5000, ids, weights)])
    read = docids.read(5000, 2000, len(ids), int(ids[0]), int(ids[-1]), int(ids[-1]) + 1)
    assert read is not None
    assert read[0].tolist() == ids.tolist() and read[1].tolist() == weights.tolist()
    assert read[2:] == ([0, 128, 256], [5004, 5700, 6500])  # each block's first row and position


def test_an_entry_that_disagrees_with_its_term_or_its_segment_is_not_used() -> None:
    _, docids = _file([(40, MIXED, np.ones(300))])
    count, first, last = len(MIXED), int(MIXED[0]), int(MIXED[-1])
    assert docids.read(40, 2000, count, first, last, last + 1) is not None
    assert docids.read(41, 2000, count, first, last, last + 1) is None  # no term's postings start there
    assert docids.read(40, 2000, count + 1, first, last, last + 1) is None  # the term has more postings
    assert docids.read(40, 2000, count, first + 1, last, last + 1) is None
    assert docids.read(40, 2000, count, first, last + 2, last + 3) is None
    assert docids.read(40, 2000, count, first, last, last) is None  # an id past the segment's documents
    assert docids.read(40, 1000, count, first, last, last + 1) is None  # a block past the term's postings


def test_a_damaged_byte_in_an_entry_makes_it_unused() -> None:
    storage, _ = _file([(40, MIXED, 1.0 + np.arange(300) % 7)])
    data = bytearray(storage.open_file("seg.ids").read())
    for at in (20, 200, 420):  # a step, a weight
        damaged = bytearray(data)
        damaged[at] ^= 0x01
        with storage.create_file("damaged.ids") as out:
            out.write(bytes(damaged))
        docids = DocIds(storage.open_file("damaged.ids"), len(damaged))
        assert docids.read(40, 2000, 300, int(MIXED[0]), int(MIXED[-1]), int(MIXED[-1]) + 1) is None, at


def test_a_file_that_is_not_an_ids_file_is_refused() -> None:
    storage = RamStorage()
    with storage.create_file("seg.ids") as out:
        out.write(b"\x80\x02}q\x00." * 20)  # a pickle, say
    with pytest.raises(ValueError, match="not an ids file"):
        DocIds(storage.open_file("seg.ids"), storage.file_length("seg.ids"))


def test_steps_that_add_up_past_the_int32_are_refused_even_where_they_wrap_to_the_last_id() -> None:
    # A crafted entry, its checksum right: two steps of 2**31 + 5 add up to 2**32 + 15, which an
    # int32 running sum wraps to 15, the last id it claims.
    ids = np.array([5, 5 + 2**31 + 5, 5 + 2 * (2**31 + 5)])
    storage = RamStorage()
    writer = DocIdsWriter(storage.create_file("seg.ids"))
    writer.add(40, ids, np.ones(3), np.array([0]), np.array([4]))
    writer.close()
    docids = DocIds(storage.open_file("seg.ids"), storage.file_length("seg.ids"))
    assert docids.read(40, 2000, 3, 5, 15, 16) is None
