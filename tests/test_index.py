"""The on-disk index: create, open, add, replace, delete, reopen, version checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bgsearch import Index
from bgsearch.errors import IndexExistsError, IndexNotFoundError, IndexVersionError
from bgsearch.engine.store import META_FILE
from whoosh.codec.whoosh3 import STORED_COLUMN
from robustness_helpers import seed_sentences

DOC = {
    "id": "minsk-1",
    "title": "Посолството на САЩ в Минск",
    "body": "Двете страни обсъждат повторното отваряне на посолството на САЩ в Минск.",
    "date": "2025-12-19",
    "source": "БТА",
}


def test_round_trip_add_replace_delete_reopen(tmp_path: Path) -> None:
    path = tmp_path / "ix"
    with Index.create(path) as ix:
        result = ix.add_documents([DOC, {"id": "minsk-2", "body": "Лукашенко освободи затворници."}])
        assert (result.added, result.replaced, result.rejected) == (2, 0, [])
        assert len(ix) == 2

        replaced = ix.add_documents([{**DOC, "body": "Посолствата остават затворени."}])
        assert (replaced.added, replaced.replaced) == (0, 1)
        assert len(ix) == 2
        assert [h.id for h in ix.search("повторно отваряне").hits] == []
        assert [h.id for h in ix.search("посолство затворени").hits] == ["minsk-1"]

        assert ix.delete(["minsk-2", "no-such-id"]) == ["no-such-id"]
        assert len(ix) == 1

    with Index.open(path) as ix:
        assert len(ix) == 1
        doc = ix.get("minsk-1")
        assert doc is not None and doc.title == DOC["title"] and doc.date == "2025-12-19"
        assert ix.search("Лукашенко").hits == []
        stats = ix.stats()
        assert stats.documents == 1 and stats.size_bytes > 0


def test_duplicate_ids_in_one_batch_last_wins(empty_index: Index) -> None:
    result = empty_index.add_documents([{"id": "a", "body": "първи текст"}, {"id": "a", "body": "втори текст"}])
    assert result.added == 1 and result.duplicates == ["a"]
    assert empty_index.get("a").body == "втори текст"


def test_invalid_documents_are_rejected_with_reasons_and_the_rest_indexed(empty_index: Index) -> None:
    result = empty_index.add_documents([
        {"id": "ok", "body": "Беларус и Украйна"},
        {"id": "no-body"},
        {"id": "bad-date", "body": "текст", "date": "2025-02-30"},
        {"id": 7, "body": "число като идентификатор"},
        {"id": "bad-type", "body": ["списък"]},
        {"id": "extra", "body": "текст", "author": "Вазов"},
        "не е речник",
    ])
    reasons = [str(r) for r in result.rejected]
    assert result.added == 3  # "ok", 7 (an integer id is accepted as a string), and "extra"
    assert len(reasons) == 4
    assert "document 2 (id 'no-body'): missing field 'body'" in reasons
    assert any("impossible date" in r for r in reasons)
    assert any("must be a string" in r for r in reasons)
    assert any("must be a dict" in r for r in reasons)
    # A key the schema does not name is counted once per call and ignored, not a rejection.
    assert result.ignored == {"author": 1}
    assert empty_index.get("7") is not None
    assert empty_index.get("extra").fields == {"body": "текст"}


def test_create_refuses_to_overwrite_unless_asked(tmp_path: Path) -> None:
    path = tmp_path / "ix"
    Index.create(path).close()
    with pytest.raises(IndexExistsError, match="already holds an index"):
        Index.create(path)
    with Index.create(path, overwrite=True) as ix:
        assert len(ix) == 0


def test_create_in_a_directory_with_a_placeholder(tmp_path: Path) -> None:
    (tmp_path / ".gitkeep").touch()
    with Index.create(tmp_path) as ix:
        assert len(ix) == 0
    assert (tmp_path / ".gitkeep").exists()


def test_open_missing_index(tmp_path: Path) -> None:
    with pytest.raises(IndexNotFoundError, match="bgsearch index"):
        Index.open(tmp_path / "nowhere")


def test_index_from_another_analyzer_version_is_refused_with_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "ix"
    Index.create(path).close()
    meta = json.loads((path / META_FILE).read_text())
    meta["analyzer_version"] = "0.0"
    (path / META_FILE).write_text(json.dumps(meta))
    with pytest.raises(IndexVersionError, match=r"analyzer .* 0\.0.*--rebuild"):
        Index.open(path)


def test_searcher_sees_later_commits(empty_index: Index) -> None:
    assert empty_index.search("Минск").hits == []
    empty_index.add_documents([DOC])
    assert [h.id for h in empty_index.search("Минск").hits] == ["minsk-1"]


def test_cached_term_entries_give_the_scores_of_a_plain_searcher(empty_index: Index) -> None:
    # Three commits (three segments), a replacement and a deletion; the index's searcher reads
    # each term's entry once per segment, a plain Whoosh searcher reads it every time.
    from whoosh import index as whoosh_index
    from whoosh import query as wq

    from bgsearch.engine.reader import WEIGHTING as _WEIGHTING
    from bgsearch.engine.store import INDEX_NAME

    sentences = seed_sentences()
    for start in range(0, 27, 9):
        empty_index.add_documents([{"id": f"s{i}", "body": sentences[i]} for i in range(start, start + 9)])
    empty_index.add_documents([{"id": "s3", "body": "Санкции срещу Минск и Лукашенко."}])
    empty_index.delete(["s5"])
    queries = [wq.Or([wq.Term("body", t) for t in terms]) for terms in (
        ["санкци", "минск"], ["лукашенк"], ["тръмп", "беларус", "посолств"], ["несъществуващ"])]
    plain = whoosh_index.open_dir(str(empty_index.path), indexname=INDEX_NAME).searcher(weighting=_WEIGHTING)
    cached = empty_index.searcher()
    assert len(cached.leaf_searchers()) > 1
    for query in queries * 2:  # the second pass is served from the cache
        expected = [(hit.docnum, round(hit.score, 9)) for hit in plain.search(query, limit=None)]
        assert [(hit.docnum, round(hit.score, 9)) for hit in cached.search(query, limit=None)] == expected
        assert cached.doc_frequency("body", query.subqueries[0].text) == plain.doc_frequency(
            "body", query.subqueries[0].text)
    from bgsearch.engine.reader import TermInfoCache

    assert any(isinstance(leaf.reader()._terms, TermInfoCache) and leaf.reader()._terms.infos
               for leaf, _ in cached.leaf_searchers())
    # The expansion's statistics read the cached entries directly: the same counts as Whoosh's.
    snapshot = empty_index._reader.snapshot()
    words = {term.decode() for field, term in plain.reader().all_terms() if field in snapshot.text_fields}
    assert len(words) > 100
    for word in [*sorted(words), "несъществуващ", "samsung"]:
        assert snapshot.doc_frequency(word) == sum(plain.doc_frequency(name, word) for name in snapshot.text_fields)
    plain.close()


def test_stored_fields_and_blocks_are_inflated_as_zlib_inflates_them(empty_index: Index) -> None:
    """A search inflates stored fields and posting blocks with libdeflate (`engine.inflate`): the
    same bytes as zlib's inflate, for data that inflates past the room it guesses too, and the same
    zlib.error for damaged data."""
    import zlib

    from whoosh import index as whoosh_index

    from bgsearch.engine.inflate import inflate
    from bgsearch.engine.store import INDEX_NAME

    sentences = seed_sentences()
    empty_index.add_documents([{"id": f"s{i}", "title": sentence[:40], "body": sentence * (1 + i % 3)}
                               for i, sentence in enumerate(sentences)])
    empty_index.add_documents([{"id": "repeated", "body": "Минск " * 50_000}])  # inflates ~600x
    plain = whoosh_index.open_dir(str(empty_index.path), indexname=INDEX_NAME).searcher()
    snapshot = empty_index._reader.snapshot()
    with snapshot:
        for leaf, offset in snapshot.searcher.leaf_searchers():
            stored = leaf.reader()._perdoc._cached_reader("_stored", STORED_COLUMN)
            assert stored._column is None  # opened by the first document asked for, not by the snapshot
            for docnum in range(leaf.reader().doc_count_all()):
                assert leaf.reader().stored_fields(docnum) == plain.stored_fields(offset + docnum)
            assert stored._column._child._decompress is inflate
    found = empty_index.get("repeated")
    assert found is not None and found.body == "Минск " * 50_000
    for data in (zlib.compress(sentences[0].encode()), zlib.compress(b"x" * 1_000_000), zlib.compress(b"")):
        assert inflate(data) == zlib.decompress(data) and type(inflate(data)) is bytes
    damaged = bytearray(zlib.compress(sentences[1].encode() * 20))
    damaged[len(damaged) // 2] ^= 0xFF
    with pytest.raises(zlib.error):
        inflate(bytes(damaged))
    plain.close()


def test_latin_terms_are_looked_up_only_in_segments_that_have_them(empty_index: Index,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A Cyrillic word's guessed English spellings are checked against each segment's Latin terms,
    read once, before its term table is probed: the counts and entries stay Whoosh's, a spelling
    no segment has is not probed, and a segment with more Latin terms than the limit is probed."""
    from whoosh import index as whoosh_index

    import bgsearch.engine.reader as reader_module
    from bgsearch.engine.store import INDEX_NAME

    commits = [
        ["Samsung и Microsoft представиха нови устройства в София.", "Смартфонът на Samsung струва 900 лева."],
        ["Facebook и Google плащат глоби в ЕС.", "Министърът говори пред Reuters за бюджета."],
        ["Дъждът спря в Пловдив.", "Компанията Microsoft отвори офис в Бургас."],
    ]
    for number, bodies in enumerate(commits):
        empty_index.add_documents([{"id": f"c{number}-{i}", "title": "Новини", "body": body}
                                   for i, body in enumerate(bodies)])
    plain = whoosh_index.open_dir(str(empty_index.path), indexname=INDEX_NAME).searcher()
    latin = sorted({term.decode() for field, term in plain.reader().all_terms()
                    if field == "body" and term[:1].isalpha() and term.isascii()})
    assert {"samsung", "microsoft", "facebook"} <= set(latin) and len(latin) >= 5
    absent = ["samsang", "maikrosoft", "zzz", "a"]

    probes = []
    probe = reader_module._probe
    monkeypatch.setattr(reader_module, "_probe", lambda *args: probes.append(args[2]) or probe(*args))
    for limit, probed_when_absent in ((reader_module._LATIN_VOCABULARY_LIMIT, False), (1, True)):
        monkeypatch.setattr(reader_module, "_LATIN_VOCABULARY_LIMIT", limit)
        reader_module._LATIN_VOCABULARIES.clear()
        empty_index.add_documents([{"id": f"new{limit}", "body": "Нов текст за Пловдив."}])  # a new commit
        snapshot = empty_index._reader.snapshot()
        assert len(snapshot._term_tables) > 1
        for word in latin + absent:
            expected = sum(plain.doc_frequency(name, word) for name in snapshot.text_fields)
            probes.clear()
            assert snapshot.doc_frequency(word) == expected, (limit, word)
            if word in absent:
                assert bool(probes) is probed_when_absent, (limit, word)
        for table in snapshot._term_tables:
            for word in latin + absent:
                found = table.info("body", word.encode())
                assert (vars(found) if found is not None else None) == (
                    vars(table._wrapped.term_info("body", word.encode())) if ("body", word.encode()) in
                    table._wrapped else None), (limit, word)
        assert {hit.id for hit in empty_index.search("Самсунг").hits} == {"c0-0", "c0-1"}
        assert {hit.id for hit in empty_index.search("Майкрософт").hits} == {"c0-0", "c2-1"}
    plain.close()


def test_total_counts_every_match_whatever_the_page(tmp_path: Path) -> None:
    """Whoosh's top-k collector once counted only what it collected after swapping a prefix's
    matcher in: `за*` had 41,031 matches at limit=10 and 53,796 at limit=1 on the law units."""
    from robustness_helpers import make_documents

    with Index.create(tmp_path / "index") as ix:
        ix.add_documents(make_documents(600, seed=41), workers=1)
        for query in ("по*", "санкц* Беларус", "Беларус OR Литва", "за*"):
            every = ix.search(query, limit=1000, snippets=False)
            assert len(every.hits) < 1000  # the whole list fits in one page: the true count
            for limit in (1, 3, 10, 100):
                assert ix.search(query, limit=limit, snippets=False).total == len(every.hits), (query, limit)
