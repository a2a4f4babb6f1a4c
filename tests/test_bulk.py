"""The bulk segment writer (`engine/bulk.py`) against Whoosh's own writer on the same documents:
new segments byte for byte once what is compressed in them is inflated, merged segments posting
for posting, with exact lengths and equal scores; read back by Whoosh's unchanged reader."""

from __future__ import annotations

import pickle
import random
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from whoosh import formats
from whoosh.query import Term
from whoosh.reading import SegmentReader
from whoosh.searching import Searcher
from whoosh.writing import SegmentWriter

from bgsearch import Index
from bgsearch.analysis.pipeline import default_pipeline
from bgsearch.documents import to_document
from bgsearch.engine import bulk, postings
from bgsearch.engine.docids import EXTENSION, MIN_POSTINGS, DocIds
from bgsearch.engine.bulk import merge_segments, positions_values, write_segment
from bgsearch.engine.workers import CAN_FORK, SegmentWorkers
from bgsearch.engine.writer import whoosh_fields
from conftest import SEEDS, SHARED
from test_fields import LAW_SCHEMA, law_unit


def seed_paragraphs() -> list[dict[str, Any]]:
    """The seed articles' paragraphs as law-shaped documents (keyword, multi-valued keyword, number,
    date, boolean and stored fields beside the two texts)."""
    docs = []
    for path in sorted(SEEDS.glob("*.txt")):
        lines = [line.strip() for line in path.read_text("utf-8").splitlines() if line.strip()]
        for number, paragraph in enumerate(lines):
            docs.append(law_unit({"id": f"{path.stem}-{number}", "title": lines[0], "body": paragraph,
                                  "url": f"https://example.bg/{number}", "date": f"20{10 + number % 15}-0{1 + number % 9}-1{number % 10}"}))
    return docs


def law_units(count: int) -> list[dict[str, Any]]:
    if not (SHARED / "data" / "corpora" / "laws.jsonl.gz").exists():
        pytest.skip("../shared/data/corpora/laws.jsonl.gz is not available")
    import golden

    return [law_unit(unit) for unit in golden.law_documents()[:count]]


def whoosh_rows(ix: Index, docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [whoosh_fields(to_document(doc, ix.schema), ix.schema) for doc in docs]


def bulk_segments(ix: Index, docs: list[dict[str, Any]], size: int) -> list[Any]:
    """`docs` written by the bulk writer in segments of `size` documents each (not committed)."""
    whoosh = ix._store.whoosh_index
    rows = whoosh_rows(ix, docs)
    return [write_segment(whoosh.storage, whoosh.schema, whoosh.indexname, rows[start : start + size])
            for start in range(0, len(rows), size)]


def whoosh_segment(ix: Index, rows: list[dict[str, Any]]) -> Any:
    """A segment written by Whoosh's own SegmentWriter (not committed)."""
    writer = SegmentWriter(ix._store.whoosh_index, _lk=False)
    for row in rows:
        writer.add_document(**row)
    return writer._finalize_segment()


def checked_ids_file(storage: Any, schema: Any, segment: Any) -> int:
    """Asserts the segment's `.ids` file holds every term of `MIN_POSTINGS` postings or more, each
    with the ids and weights Whoosh's matcher reads and the blocks' rows and positions of its postings;
    returns how many terms it holds."""
    reader = SegmentReader(storage, schema, segment)
    try:
        held = 0
        ids_file = DocIds.of(reader._storage, segment)
        assert ids_file is not None
        for fieldname, term in reader.all_terms():
            info = reader._terms.term_info(fieldname, term)
            offset, length = postings.extent(info)
            read = ids_file.read(offset, length, info.doc_frequency(), info.min_id(), info.max_id(), reader.doc_count_all())
            if info.doc_frequency() < MIN_POSTINGS:
                assert read is None, (fieldname, term)
                continue
            assert read is not None, (fieldname, term)
            ids, weights, _ = postings.read_whole(reader, fieldname, term)
            assert np.array_equal(read[0], ids) and np.array_equal(read[1], weights), (fieldname, term)
            assert read[2:] == postings.read_blocks(reader._terms._postfile.get(offset, length), offset)[2:]
            held += 1
        return held
    finally:
        reader.close()


def segment_files(storage: Any, segment: Any) -> dict[str, bytes]:
    compound = segment.open_compound_file(storage)
    own = segment.segment_id()
    return {name.replace(own, ""): compound.open_file(name).read() for name in compound.list()}


def as_protocol_2(data: bytes) -> bytes:
    """A block's data pickle as protocol 2 writes what it holds, as Whoosh's writer does (the bulk
    writer's protocol 3 differs only in how the values, bytes, are written)."""
    return pickle.dumps(pickle.loads(data), 2)


def inflated_files(storage: Any, schema: Any, segment: Any, as_written: bool = False) -> dict[str, Any]:
    """A segment's files with what is compressed in them inflated: the bulk writer compresses with
    libdeflate (and leaves small blocks plain) where Whoosh's writer uses zlib, so those bytes differ
    while what they hold must not. Each term's table entry without its extent in the postings file,
    and its blocks' headers (but the zlib level) and inflated data (as protocol 2 writes it, unless
    `as_written`); each document's stored fields inflated; the other files (field lengths) as they are."""
    files = segment_files(storage, segment)
    files.pop(EXTENSION, None)  # bgsearch's own (`checked_ids_file`); a segment Whoosh wrote has none
    reader = SegmentReader(storage, schema, segment)
    try:
        terms, blocks = {}, {}
        for fieldname, term in reader.all_terms():
            info = reader._terms.term_info(fieldname, term)
            terms[fieldname, term] = (info.weight(), info.doc_frequency(), info.min_length(), info.max_length(),
                                      info.max_weight(), info.min_id(), info.max_id())
            if info.is_inlined():
                blocks[fieldname, term] = info._inlined
                continue
            offset, length = info.extent()
            raw = files[".pst"][offset : offset + (length[0] if isinstance(length, tuple) else length)]
            assert raw[:4] == bulk.WHOOSH3_HEADER_MAGIC
            position, last, read = 4, False, []
            while not last:
                size = int.from_bytes(raw[position : position + 4], "big", signed=True)
                last, end = size < 0, position + 4 + abs(size)
                count, last_id, top, level, short, long, start = bulk._block_header(raw, position + 4, end)
                plain = zlib.decompress(raw[start:end]) if level else raw[start:end]
                read.append((count, last_id, top, short, long, plain if as_written else as_protocol_2(plain)))
                position = end
            blocks[fieldname, term] = read
        stored = reader._perdoc.column_reader("_stored", bulk.STORED_COLUMN)._child
        documents = [stored[n] for n in range(reader.doc_count_all())]
    finally:
        reader.close()
    rest = {name: data for name, data in files.items() if name not in (".pst", ".trm", "._stored.col")}
    return {"terms": terms, "blocks": blocks, "stored": documents, "files": rest, "names": sorted(files)}


def contents(storage: Any, schema: Any, segment: Any, terms: list[tuple[str, bytes]]) -> dict[str, Any]:
    """Everything a search reads from a segment, through Whoosh's reader: each term's postings (ids,
    weights, values), each document's stored fields and field lengths, the field totals, and the
    BM25F score of every document for each of `terms`."""
    reader = SegmentReader(storage, schema, segment)
    try:
        postings = {}
        for fieldname, term in reader.all_terms():
            matcher = reader.postings(fieldname, term)
            items = []
            while matcher.is_active():
                items.append((matcher.id(), matcher.weight(), matcher.value()))
                matcher.next()
            postings[fieldname, term] = items
        scored = [name for name, field in schema.items() if field.scorable]
        docs = [(reader.stored_fields(n), [reader.doc_field_length(n, name) for name in scored])
                for n in range(reader.doc_count_all())]
        searcher = Searcher(reader)
        scores = {(f, t): [(hit.docnum, hit.score) for hit in searcher.search(Term(f, t.decode()), limit=None)]
                  for f, t in terms}
        return {"postings": postings, "docs": docs, "totals": {name: reader.field_length(name) for name in scored},
                "scores": scores}
    finally:
        reader.close()


def sample_terms(ix: Index, docs: list[dict[str, Any]], count: int = 60) -> list[tuple[str, bytes]]:
    words = sorted({term for doc in docs[:50] for term in default_pipeline().terms(doc["body"])})
    return [("body", term.encode()) for term in random.Random(7).sample(words, min(count, len(words)))]


def assert_same_scores(ours: dict[Any, list[tuple[int, float]]], whooshs: dict[Any, list[tuple[int, float]]]) -> None:
    assert ours.keys() == whooshs.keys()
    for key in ours:
        assert [doc for doc, _ in ours[key]] == [doc for doc, _ in whooshs[key]], key
        assert np.allclose([s for _, s in ours[key]], [s for _, s in whooshs[key]], rtol=0, atol=1e-9), key


# -- new segments ----------------------------------------------------------------------------------

def test_positions_are_encoded_as_whooshs_positions_format() -> None:
    text = (SEEDS / "000_86c0b70c7c47bfc2.txt").read_text("utf-8")
    by_term: dict[str, list[int]] = {}
    for position, term in default_pipeline().positioned_terms(text * 40):  # positions past 256 and 65,536
        by_term.setdefault(term, []).append(position)
    lists = list(by_term.values()) + [[5], [0, 1], list(range(0, 3_000_000, 99_999)), list(range(1001)), list(range(1000))]
    freqs = np.array([len(positions) for positions in lists])
    deltas = np.concatenate([np.diff(np.array(positions), prepend=0) for positions in lists])
    assert max(len(p) for p in lists) > 1000 and deltas.max() > 65_536
    assert positions_values(freqs, deltas) == [formats.Positions().encode(positions) for positions in lists]


@pytest.mark.parametrize("run", [1 << 17, 50], ids=["one run", "runs of 50 postings"])
@pytest.mark.parametrize("schema", [None, LAW_SCHEMA], ids=["default", "own fields"])
def test_a_bulk_segment_of_the_seeds_holds_whooshs_bytes(tmp_path: Path, schema: Any, run: int,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import bgsearch.engine.bulk

    monkeypatch.setattr(bgsearch.engine.bulk, "_RUN_POSTINGS", run)
    docs = seed_paragraphs()
    with Index.create(tmp_path / "index", schema=schema) as ix:
        rows = whoosh_rows(ix, docs)
        whoosh = ix._store.whoosh_index
        theirs = whoosh_segment(ix, rows)
        ours = write_segment(whoosh.storage, whoosh.schema, whoosh.indexname, rows)
        assert ours.doc_count_all() == theirs.doc_count_all() == len(docs)
        assert dict(ours._fieldlengths) == dict(theirs._fieldlengths)
        assert inflated_files(whoosh.storage, whoosh.schema, ours) == inflated_files(whoosh.storage, whoosh.schema, theirs)


def test_block_values_are_pickled_as_bytes(tmp_path: Path) -> None:
    # Whoosh's writer pickles a block's data with protocol 2, which writes each value (bytes) as a
    # call of _codecs.encode, 5 times slower to read back; the bulk writer's protocol 3 writes bytes.
    with Index.create(tmp_path / "index") as ix:
        rows = whoosh_rows(ix, seed_paragraphs())
        whoosh = ix._store.whoosh_index
        theirs = whoosh_segment(ix, rows)
        ours = write_segment(whoosh.storage, whoosh.schema, whoosh.indexname, rows)

        def data(segment: Any) -> list[bytes]:
            blocks = inflated_files(whoosh.storage, whoosh.schema, segment, as_written=True)["blocks"].values()
            return [block[-1] for term_blocks in blocks if isinstance(term_blocks, list) for block in term_blocks]

        assert any(b"_codecs" in plain for plain in data(theirs))
        assert not any(b"_codecs" in plain for plain in data(ours))
        assert {plain[:2] for plain in data(ours)} == {b"\x80\x03"}


def test_a_bulk_segment_of_law_units_holds_whooshs_bytes(tmp_path: Path) -> None:
    docs = law_units(1_500)
    with Index.create(tmp_path / "index", schema=LAW_SCHEMA) as ix:
        rows = whoosh_rows(ix, docs)
        whoosh = ix._store.whoosh_index
        theirs = whoosh_segment(ix, rows)
        progress: list[int] = []
        ours = write_segment(whoosh.storage, whoosh.schema, whoosh.indexname, rows, progress.append)
        assert sum(progress) == len(docs)
        ours_now = inflated_files(whoosh.storage, whoosh.schema, ours)
        theirs_now = inflated_files(whoosh.storage, whoosh.schema, theirs)
        assert ours_now["names"] == ["._body_len.col", "._stored.col", "._title_len.col", ".pst", ".trm"]
        for part in theirs_now:
            assert ours_now[part] == theirs_now[part], part
        assert checked_ids_file(whoosh.storage, whoosh.schema, ours) > 20
        ours_files, theirs_files = segment_files(whoosh.storage, ours), segment_files(whoosh.storage, theirs)
        ids_file = len(ours_files.pop(EXTENSION))
        sizes = [sum(map(len, files.values())) for files in (ours_files, theirs_files)]
        assert sizes[0] < 1.05 * sizes[1]  # the small blocks left plain: a little larger (3.9%) than all zlib'd
        assert ids_file < 0.15 * sizes[0]


# -- merged segments -------------------------------------------------------------------------------

def test_a_merged_segment_equals_whooshs_segment_of_the_live_documents(tmp_path: Path) -> None:
    docs = law_units(900)
    deleted = set(range(5, len(docs), 7)) | set(range(300, 340))  # scattered, and one segment's run
    live = [doc for n, doc in enumerate(docs) if n not in deleted]
    with Index.create(tmp_path / "index", schema=LAW_SCHEMA) as ix:
        whoosh = ix._store.whoosh_index
        storage, schema = whoosh.storage, whoosh.schema
        parts = bulk_segments(ix, docs, 300)
        for n in deleted:
            parts[n // 300].delete_document(n % 300)
        merged = merge_segments(storage, schema, whoosh.indexname, parts)
        theirs = whoosh_segment(ix, whoosh_rows(ix, live))
        terms = sample_terms(ix, live)
        ours_now, theirs_now = contents(storage, schema, merged, terms), contents(storage, schema, theirs, terms)
    assert merged.doc_count_all() == len(live) and not merged.has_deletions()
    assert checked_ids_file(storage, schema, merged) > 10
    assert ours_now["postings"] == theirs_now["postings"]
    assert ours_now["docs"] == theirs_now["docs"]
    assert ours_now["totals"] == theirs_now["totals"] == dict(theirs._fieldlengths)
    assert_same_scores(ours_now["scores"], theirs_now["scores"])


def test_a_merge_that_keeps_the_blocks_writes_the_ids_of_the_merged_terms(tmp_path: Path) -> None:
    """Without deletions every term's blocks are kept, shifted: its `.ids` entry is its parts' entries
    (a term common in each segment), or read from their blocks (one too rare in each alone)."""
    with Index.create(tmp_path / "index", schema=LAW_SCHEMA) as ix:
        whoosh = ix._store.whoosh_index
        storage, schema = whoosh.storage, whoosh.schema
        segments = bulk_segments(ix, law_units(900), 300)
        in_parts = [checked_ids_file(storage, schema, segment) for segment in segments]
        merged = merge_segments(storage, schema, whoosh.indexname, segments)
        assert checked_ids_file(storage, schema, merged) > max(in_parts) >= 2


@pytest.mark.skipif(not CAN_FORK, reason="the workers are forked")
@pytest.mark.parametrize("parts", [2, 3])
def test_a_merge_in_ranges_of_terms_by_workers_writes_the_same_files(tmp_path: Path, parts: int,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulk, "PARALLEL_MERGE_DOCS", 0)
    docs = law_units(900)
    with Index.create(tmp_path / "index", schema=LAW_SCHEMA) as ix:
        whoosh = ix._store.whoosh_index
        storage, schema = whoosh.storage, whoosh.schema
        segments = bulk_segments(ix, docs, 300)
        for n in range(7, 300, 11):  # deletions in the middle segment: its terms are read and written anew
            segments[1].delete_document(n)
        alone = merge_segments(storage, schema, whoosh.indexname, segments)
        with SegmentWorkers(2) as pool:
            shared = merge_segments(storage, schema, whoosh.indexname, segments, (pool.start, parts))
        assert len(bulk._term_ranges([SegmentReader(storage, schema, seg) for seg in segments], parts)) == parts
        files = segment_files(storage, shared)
        assert files == segment_files(storage, alone)
        assert checked_ids_file(storage, schema, shared) > 10
        assert not [name for name in storage.list() if ".part" in name]  # the parts' files are gone


def test_a_merges_ranges_of_terms_share_the_work_of_every_segment_not_only_the_largest(tmp_path: Path) -> None:
    # Ids numbered in import order lie apart by segment: ranges cut by one segment's terms alone
    # left one worker every other segment's ids. Each range must hold about a third of all terms.
    # (Short articles: ids are most of the terms, as in a large import.)
    docs = [{**doc, "id": f"{number:06d}", "body": " ".join(doc["body"].split()[:3])}
            for number, doc in enumerate(law_units(1200))]
    with Index.create(tmp_path / "index", schema=LAW_SCHEMA) as ix:
        whoosh = ix._store.whoosh_index
        storage, schema = whoosh.storage, whoosh.schema
        rows = whoosh_rows(ix, docs)
        segments = [write_segment(storage, schema, whoosh.indexname, rows[:600]),
                    *(write_segment(storage, schema, whoosh.indexname, rows[start : start + 200]) for start in (600, 800, 1000))]
        readers = [SegmentReader(storage, schema, seg) for seg in segments]
        try:
            ranges = bulk._term_ranges(readers, 3)
            entries = [sum(1 for reader in readers for key, _ in bulk._term_records(reader, low)
                           if high is None or key < high) for low, high in ranges]
            every = sum(1 for reader in readers for _ in bulk._term_records(reader))
        finally:
            for reader in readers:
                reader.close()
    assert len(ranges) == 3 and sum(entries) == every
    assert max(entries) < 1.5 * min(entries), entries


def test_a_merge_copies_stored_fields_and_lengths_as_whooshs_per_document_writer_would(tmp_path: Path) -> None:
    # The merge copies runs of documents at once; Whoosh's writer, document by document, must write
    # the same bytes: segments with deletions (runs broken), documents without a title (no length).
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN, STORED_COLUMN, W3Codec, W3PerDocWriter, _lenfield
    from whoosh.columns import VarBytesColumn

    docs = law_units(600)
    for doc in docs[::7]:
        doc.pop("title", None)
    with Index.create(tmp_path / "index", schema=LAW_SCHEMA) as ix:
        whoosh = ix._store.whoosh_index
        storage, schema = whoosh.storage, whoosh.schema
        segments = bulk_segments(ix, docs, 200)
        for n in [0, 1, 50, 51, 52, 199]:
            segments[1].delete_document(n)
        segments[2].delete_document(77)
        readers = [SegmentReader(storage, schema, seg) for seg in segments]
        documents = bulk._Documents(schema, readers)
        ours, theirs = bulk._new_segment(storage, whoosh.indexname), bulk._new_segment(storage, whoosh.indexname)
        documents.write(storage, ours, readers)
        perdoc = W3PerDocWriter(W3Codec(), storage, theirs)
        stored_out = perdoc._get_column("_stored")._child
        for reader, docmap, bytes_of in zip(readers, documents.docmaps, documents.length_bytes):
            stored_in = reader._perdoc.column_reader("_stored", STORED_COLUMN)._child
            for old in np.flatnonzero(docmap >= 0).tolist():
                perdoc.start_doc(int(docmap[old]))
                for name in documents.scored:
                    if bytes_of[name][old]:
                        perdoc.add_column_value(_lenfield(name), LENGTHS_COLUMN, int(bytes_of[name][old]))
                raw = VarBytesColumn.Reader.__getitem__(stored_in, old)  # compressed, as it is
                if raw:
                    VarBytesColumn.Writer.add(stored_out, int(docmap[old]), raw)
                perdoc.finish_doc()
        perdoc.close()
        for reader in readers:
            reader.close()
        files: dict[Any, dict[str, bytes]] = {ours: {}, theirs: {}}
        for segment, found in files.items():
            for name in storage.list():
                if name.startswith(segment.segment_id()):
                    with storage.open_file(name) as file:
                        found[name.replace(segment.segment_id(), "")] = file.read()
        assert len(files[ours]) >= 3  # the stored fields and two fields' lengths
        assert files[ours] == files[theirs]


def test_an_index_grown_by_many_commits_and_merges_answers_as_one_built_at_once(tmp_path: Path) -> None:
    docs = seed_paragraphs()
    with Index.create(tmp_path / "once", schema=LAW_SCHEMA) as once:
        once.add_documents(docs, workers=1)
        expected = {query: [(hit.id, round(hit.score, 9)) for hit in once.search(query, limit=100).hits]
                    for query in ("Беларус", "сигнали", "президент Лукашенко", '"дипломатически сигнали"')}
    with Index.create(tmp_path / "grown", schema=LAW_SCHEMA) as grown:
        for start in range(0, len(docs), 2):  # one commit every two documents: the merge policy merges
            grown.add_documents(docs[start : start + 2], workers=1)
        segments = grown.stats().segments
        assert segments < len(docs) // 2
        for query, hits in expected.items():
            assert [(hit.id, round(hit.score, 9)) for hit in grown.search(query, limit=100).hits] == hits, query
        grown.optimize()
        assert grown.stats().segments == 1
        for query, hits in expected.items():
            assert [(hit.id, round(hit.score, 9)) for hit in grown.search(query, limit=100).hits] == hits, query


def test_a_merge_keeps_no_term_whose_documents_were_all_deleted(tmp_path: Path) -> None:
    docs = seed_paragraphs()
    with Index.create(tmp_path / "index") as ix:
        whoosh = ix._store.whoosh_index
        rows = whoosh_rows(ix, docs)
        first, second = (write_segment(whoosh.storage, whoosh.schema, whoosh.indexname, part) for part in (rows[:5], rows[5:]))
        for n in range(5):
            first.delete_document(n)
        merged = merge_segments(whoosh.storage, whoosh.schema, whoosh.indexname, [first, second])
        reader = SegmentReader(whoosh.storage, whoosh.schema, merged)
        try:
            ids = {term.decode() for field, term in reader.all_terms() if field == "id"}
        finally:
            reader.close()
    assert ids == {doc["id"] for doc in docs[5:]}


def test_a_merge_writes_each_term_of_one_posting_as_its_block_shifted(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # Most terms of a large merge have one posting (every document's id, the words of one
    # document): they are moved without unpickling their block, and must be the bytes the general
    # path (`add_blocks`) writes. Segments of 300 make document numbers cross a byte's width.
    docs = law_units(900)
    with Index.create(tmp_path / "index", schema=LAW_SCHEMA) as ix:
        whoosh = ix._store.whoosh_index
        storage, schema = whoosh.storage, whoosh.schema
        segments = bulk_segments(ix, docs, 300)
        moved = []
        real = bulk._moved_single
        monkeypatch.setattr(bulk, "_moved_single", lambda *args: moved.append(real(*args)) or moved[-1])
        fast = segment_files(storage, merge_segments(storage, schema, whoosh.indexname, segments))
        monkeypatch.setattr(bulk, "_moved_single", lambda *args: None)
        general = segment_files(storage, merge_segments(storage, schema, whoosh.indexname, segments))
    assert sum(found is not None for found in moved) > len(docs)  # every id, and more
    assert fast == general


@pytest.mark.parametrize(("docnum", "shift"), [(0, 0), (7, 300), (250, 70_000), (300, 65_300), (70_000, 12)])
@pytest.mark.parametrize("data", [((), None, None), ((), 2.0, (b"\x00\x05",)), ((), None, ({"x": 1},))])
def test_a_single_postings_document_is_moved_in_its_header_and_its_data(docnum: int, shift: int,
                                                                        data: tuple[Any, ...]) -> None:
    from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC
    from whoosh.system import pack_int

    def postings(doc: int, level: int = 0) -> bytes:
        block = pickle.dumps(((doc,), *data[1:]), 2)
        block = zlib.compress(block, level) if level else block
        body = pickle.dumps((1, doc, 1.0, level, 3, 3), 2) + block
        return WHOOSH3_HEADER_MAGIC + pack_int(-len(body)) + body

    assert bulk._moved_single(postings(docnum), docnum, shift) == postings(docnum + shift)
    assert bulk._moved_single(postings(docnum, 3), docnum, shift) is None  # compressed: the general path
    assert bulk._moved_single(postings(docnum), docnum + 1, shift) is None  # not the document it says


@pytest.mark.parametrize("count", [1, 3, 4, 128])
@pytest.mark.parametrize(("first", "shift"), [(5, 0), (5, 300), (250, 70_000), (70_000, 12), (65_000, 1_000)])
def test_a_blocks_first_id_is_moved_inside_its_pickle(count: int, first: int, shift: int) -> None:
    from bgsearch.engine.bulk import MERGE_COMPRESSION, _shift_first_id

    positions = [formats.Positions().encode([p * 7]) for p in range(count)]
    deltas = [first] + [1 + n % 300 for n in range(count - 1)]
    weights = tuple(float(1 + n % 3) for n in range(count)) if count > 1 else None
    for comp in (0, 3):
        block = pickle.dumps((tuple(deltas), weights, tuple(positions)), 2)
        data = zlib.compress(block, comp) if comp else block
        moved, level, inflated = _shift_first_id(data, comp, shift)
        assert inflated == block
        # recompressed at the merge's level; plain blocks stay plain, small ones are left plain
        assert level == (MERGE_COMPRESSION if comp and len(block) > 600 else 0)
        plain = zlib.decompress(moved) if level else moved
        assert pickle.loads(plain) == ((first + shift, *deltas[1:]), weights, tuple(positions))
