"""Queries ranked from whole postings (bgsearch.postings) rank exactly as Whoosh's own queries over
the same terms: the same documents, the same scores, the same top k when the collector skips by
score. Checked on the seed articles split into sentences (always) and on law units (with
../shared), each indexed over several commits with deleted documents."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh import query as wq

from bgsearch import Index
from bgsearch.engine.phrase import PhraseQuery
from bgsearch.engine.postings import AllWordsQuery, AnyTermQuery
from bgsearch.engine.store import INDEX_NAME
from conftest import SEEDS, SHARED


def _seed_sentences() -> list[dict[str, str]]:
    text = " ".join(path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt")))
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if len(s.split()) >= 4]
    return [{"id": f"s{i}", "body": s} for i, s in enumerate(sentences)]


def _law_units() -> list[dict[str, str]]:
    import sys

    if not (SHARED / "data" / "corpora" / "laws.jsonl.gz").exists():
        pytest.skip("../shared/data/corpora/laws.jsonl.gz is not available")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from benchmarks.corpora import data_dir, load_corpus

    return [{"id": d["id"], "title": d["title"], "body": d["body"]} for d in load_corpus("laws", data_dir(SHARED / "data"), 1_200)]


@pytest.fixture(scope="module", params=["seed sentences", "law units"])
def index(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    docs = _seed_sentences() if request.param == "seed sentences" else _law_units()
    ix = Index.create(tmp_path_factory.mktemp("postings") / "index")
    third = len(docs) // 3
    for part in (docs[:third], docs[third : 2 * third], docs[2 * third :]):  # three commits, three segments
        ix.add_documents(part, workers=1)
    ix.delete([d["id"] for d in docs[::5]])
    assert ix.stats().segments > 1
    yield ix
    ix.close()


def _terms(ix: Index, count: int, seed: int) -> list[list[str]]:
    """`count` draws of 2-3 body terms of one live document (so all-words queries find something)."""
    rng = random.Random(seed)
    searcher = ix.searcher()
    reader = searcher.reader()
    docnums = list(reader.all_doc_ids())
    draws = []
    for _ in range(count):
        docnum = rng.choice(docnums)
        terms = sorted({t.text for t in ix.analyzer(searcher.stored_fields(docnum)["body"])})
        draws.append(rng.sample(terms, min(len(terms), rng.choice((2, 3)))))
    return draws


def _ranked(ix: Index, query: wq.Query, limit: int | None = 10) -> list[tuple[int, float]]:
    hits = ix.searcher().search(query, limit=limit)
    return [(hit.docnum, round(hit.score, 9)) for hit in hits]


def _leaves(words: list[str]) -> tuple[list[tuple[str, str, float]], list[int]]:
    leaves = [(field, word, boost) for word in words for field, boost in (("title", 2.0), ("body", 1.0))]
    return leaves, [n for n, _ in enumerate(words) for _ in range(2)]


def _whoosh_word(word: str) -> wq.Query:
    return wq.Or([wq.Term("title", word, boost=2.0), wq.Term("body", word)])


def test_any_term_ranks_as_whoosh_or(index) -> None:  # type: ignore[no-untyped-def]
    for words in _terms(index, 25, seed=1):
        leaves, _ = _leaves(words)
        ours = _ranked(index, AnyTermQuery(leaves))
        assert ours, words
        assert ours == _ranked(index, wq.Or([_whoosh_word(w) for w in words])), words


def test_all_words_rank_as_whoosh_and_of_ors(index) -> None:  # type: ignore[no-untyped-def]
    for words in _terms(index, 25, seed=2):
        leaves, numbers = _leaves(words)
        ours = _ranked(index, AllWordsQuery(leaves, numbers))
        assert ours, words
        assert ours == _ranked(index, wq.And([_whoosh_word(w) for w in words])), words


def test_skipping_by_score_keeps_the_true_top_ten(index) -> None:  # type: ignore[no-untyped-def]
    """The collector skips documents by their exact scores; the top ten must be those of a full
    ranking of every match, for phrases (positions checked only where the collector stops) too."""
    searcher = index.searcher()
    for words in _terms(index, 15, seed=3):
        leaves, numbers = _leaves(words)
        for query in (AnyTermQuery(leaves), AllWordsQuery(leaves, numbers)):
            assert _ranked(index, query) == _ranked(index, query, limit=None)[:10]
    phrases = 0
    for hit in searcher.search(wq.Every(), limit=40):
        tokens = [(t.pos, t.text) for t in index.analyzer(hit["body"], positions=True)][:3]
        if len(tokens) < 2:
            continue
        positions, terms = zip(*tokens)
        query = PhraseQuery("body", positions, terms)
        top = _ranked(index, query)
        assert hit.docnum in {d for d, _ in _ranked(index, query, limit=None)}
        assert top == _ranked(index, query, limit=None)[:10]
        phrases += 1
    assert phrases >= 20


def test_phrase_scores_as_its_terms_together(index) -> None:  # type: ignore[no-untyped-def]
    searcher = index.searcher()
    for hit in searcher.search(wq.Every(), limit=15):
        tokens = [(t.pos, t.text) for t in index.analyzer(hit["body"], positions=True)][:2]
        if len(tokens) < 2:
            continue
        positions, terms = zip(*tokens)
        phrase = dict(_ranked(index, PhraseQuery("body", positions, terms), limit=None))
        together = dict(_ranked(index, wq.And([wq.Term("body", t) for t in terms]), limit=None))
        assert phrase and set(phrase) <= set(together)
        assert all(phrase[d] == together[d] for d in phrase)


def test_a_new_commit_is_searched_with_its_own_postings(empty_index: Index) -> None:
    """Postings are kept per segment reader: after a commit, phrase, all-words and any-word
    searches see the new document."""
    empty_index.add_documents(_seed_sentences()[:10], workers=1)
    queries = ['"Лукашенко помилва"', "Лукашенко помилва", "Лукашенко помилва украински граждани затворници"]
    before = [{h.id for h in empty_index.search(q, limit=50).hits} for q in queries]
    empty_index.add_documents([{"id": "new", "body": "Президентът Лукашенко помилва 31 украински граждани."}], workers=1)
    after = [{h.id for h in empty_index.search(q, limit=50).hits} for q in queries]
    for query, old, new in zip(queries, before, after):
        assert "new" not in old and "new" in new, query


def test_totals_count_every_match_beyond_the_page(tmp_path: Path) -> None:
    docs = [{"id": f"a{i}", "body": f"Санкции срещу Беларус, решение {i}."} for i in range(8)]
    docs += [{"id": f"b{i}", "body": f"Беларус отговори на санкциите, бележка {i}."} for i in range(7)]
    docs += [{"id": "c", "body": "Посолството в Минск."}]
    ix = Index.create(tmp_path / "index")
    ix.add_documents(docs[:9], workers=1)
    ix.add_documents(docs[9:], workers=1)
    assert ix.search('"санкции срещу Беларус"', limit=3).total == 8  # the phrase, in order
    assert ix.search("санкции Беларус", limit=3).total == 15  # every word, any order
    fallback = ix.search("санкции Минск", limit=3)
    assert fallback.fallback and fallback.total == 16  # no document has both: any word
    pending = ix.search("Беларус", limit=3)
    ix.close()
    from bgsearch.errors import BgsearchError

    with pytest.raises(BgsearchError, match="read `total` before closing"):
        pending.total


def test_field_words_beside_plain_words_rank_as_whoosh(seed_index: Index) -> None:
    """id: words (a field without lengths, scored by its weight) mixed with plain words, and source:
    filters (which limit the search and never score) beside all-words and any-word queries."""
    from conftest import DECEMBER, OCTOBER

    term = next(iter(seed_index.analyzer("санкции"))).text
    cases = {
        f"id:{OCTOBER} санкции": wq.And([wq.Term("id", OCTOBER), _whoosh_word(term)]),
        "source:БТА санкции": wq.And([wq.Term("source", "бта", boost=0.0), _whoosh_word(term)]),
        "source:БТА санкции Минск посолство Лукашенко": wq.And([wq.Term("source", "бта", boost=0.0), wq.Or(
            [_whoosh_word(next(iter(seed_index.analyzer(w))).text) for w in ("санкции", "Минск", "посолство", "Лукашенко")]
        )]),
    }
    for query, whoosh_query in cases.items():
        ours = [(h.id, round(h.score, 9)) for h in seed_index.search(query).hits]
        expected = [(hit["id"], round(hit.score, 9)) for hit in seed_index.searcher().search(whoosh_query, limit=10)]
        assert ours and ours == expected, query
    assert {h.id for h in seed_index.search(f"id:{DECEMBER} санкции").hits} == {DECEMBER}


def test_searches_from_several_threads_agree_with_one_thread(index) -> None:  # type: ignore[no-untyped-def]
    """The per-segment postings cache is shared by threads; with a tiny cache every search reads,
    inserts and evicts at once."""
    from concurrent.futures import ThreadPoolExecutor

    import bgsearch.engine.postings as postings_module

    queries = [" ".join(words) for words in _terms(index, 30, seed=4)]
    queries += [f'"{q}"' for q in queries[:10]]
    expected = [[(h.id, h.score) for h in index.search(q, snippets=False).hits] for q in queries]
    kept = postings_module.POSTINGS_KEPT, postings_module.POSTINGS_KEPT_PER_DOCUMENT
    postings_module.POSTINGS_KEPT, postings_module.POSTINGS_KEPT_PER_DOCUMENT = 50, 0
    try:
        with ThreadPoolExecutor(4) as pool:
            for _ in range(3):
                found = list(pool.map(lambda q: [(h.id, h.score) for h in index.search(q, snippets=False).hits], queries))
                assert found == expected
    finally:
        postings_module.POSTINGS_KEPT, postings_module.POSTINGS_KEPT_PER_DOCUMENT = kept


def test_scores_follow_the_whole_index_when_whoosh_reuses_a_segment_reader(tmp_path: Path) -> None:
    """Whoosh's Searcher.refresh() keeps the readers of unchanged segments; the scores kept with
    their postings must still follow the new whole-index statistics."""
    docs = _seed_sentences()
    ix = Index.create(tmp_path / "index")
    ix.add_documents(docs[:20], workers=1)
    leaves, _ = _leaves(["беларус", "санкци"])
    whoosh_ix = whoosh_index.open_dir(str(ix.path), indexname=INDEX_NAME)
    first = whoosh_ix.searcher()
    first.search(AnyTermQuery(leaves))  # scores kept for the first commit's statistics
    ix.add_documents(docs[20:], workers=1)
    second = first.refresh()
    assert second is not first and second.doc_count_all() > first.doc_count_all()
    ours = [(h.docnum, round(h.score, 9)) for h in second.search(AnyTermQuery(leaves), limit=10)]
    theirs = [(h.docnum, round(h.score, 9)) for h in second.search(wq.Or([_whoosh_word(w) for w in ("беларус", "санкци")]), limit=10)]
    assert ours and ours == theirs
    second.close()
    ix.close()


def test_the_top_hits_of_grouped_and_negated_queries_are_those_of_every_match(index) -> None:  # type: ignore[no-untyped-def]
    """Whoosh's top-k collector skips documents by bounds on their parts' scores. Inside And, Or and
    Not those bounds once let it skip matches that belonged on the first page ("срок (мерки OR
    закон)" lost its second-best hit): the first 10 must be the first 10 of every match ranked."""
    if len(index) < 500:  # the seed sentences: a few dozen
        pytest.skip("too few documents for the first page to be cut from many matches")
    rng = random.Random(11)
    forms = ["{a} ({b} OR {c})", "{a} {b} ({c} OR {a})", "{a} NOT {c}", "({a} OR {b}) {c}", "{a} {b} -{c}",
             '"{a} {b}" OR {c}', '"{a} {b}"', '"{a} {b}" {c}']
    checked = 0
    for words in _terms(index, 40, seed=5):
        a, b, c = (words * 2)[:3]
        query = rng.choice(forms).format(a=a, b=b, c=c)
        every = index.search(query, limit=1000, snippets=False)
        if not 10 < every.total < 1000:
            continue
        page = index.search(query, limit=10, snippets=False)
        assert [round(h.score, 6) for h in page.hits] == [round(h.score, 6) for h in every.hits[:10]], query
        checked += 1
    assert checked >= 5


def test_ids_and_weights_read_alone_are_whooshs_for_every_term(index: Index, tmp_path: Path) -> None:
    """`Postings` reads a term's ids and weights from the blocks without their values (positions);
    for every term of every segment — merged segments with plain blocks too — they equal what Whoosh's
    matcher reads, and the values, read a block at a time when asked, are Whoosh's."""
    import numpy as np

    from bgsearch.engine.postings import Postings, read_whole

    index.optimize()  # a merged segment too: blocks kept, first ids moved, small ones left plain
    checked, repeated, blocks = 0, 0, 0
    for reader, _ in index.searcher().reader().leaf_readers():
        for fieldname, tbytes in reader.all_terms():
            read = Postings(reader, fieldname, tbytes)
            ids, weights, values = read_whole(reader, fieldname, tbytes)
            assert np.array_equal(read.ids, ids) and np.array_equal(read.weights, weights), (fieldname, tbytes)
            checked += 1
            repeated += bool(len(weights) and weights.max() > 1)  # a word twice in a document
            blocks += len(ids) > 128  # postings in more than one block
            if checked % 17 == 0:
                assert [read.value(row) for row in reversed(range(len(ids)))] == values[::-1]
    assert checked > 200 and repeated and (blocks or len(index) < 500)  # the seed sentences: too few for two blocks


def test_positions_read_by_pattern_are_whooshs() -> None:
    """A phrase reads each candidate's positions with pickle's C loader once a pattern has checked
    the value holds only a list of numbers; longer lists (pickled in batches) and anything else go
    to Whoosh's decoder."""
    from whoosh.formats import Positions

    from bgsearch.analysis.pipeline import default_pipeline
    from bgsearch.engine.postings import _POSITIONS, positions

    text = " ".join(path.read_text("utf-8") for path in sorted(SEEDS.glob("*.txt"))) * 30
    by_term: dict[str, list[int]] = {}
    for position, term in default_pipeline().positioned_terms(text):
        by_term.setdefault(term, []).append(position)
    lists = [*by_term.values(), list(range(0, 3_000_000, 70_001)), list(range(1_200))]
    assert max(map(len, lists)) > 1_000 and max(map(max, lists)) > 65_536
    fallbacks: list[bytes] = []

    def whoosh(value: bytes) -> list[int]:
        fallbacks.append(value)
        return Positions().decode_positions(value)

    for found in lists:
        value = Positions().encode(found)
        assert positions(value, whoosh) == found
    assert len(fallbacks) == sum(len(found) > 1_000 for found in lists)  # only the batched lists
    assert not _POSITIONS.fullmatch(b"\x00\x00\x00\x01\x80\x02cos\nsystem\nq\x00.")  # no global passes


def test_a_terms_scores_at_some_documents_are_its_scores_there_to_the_last_bit(index: Index) -> None:
    """A common word of an all-words query is scored only at the documents a rarer word leaves;
    those scores must be the very numbers its every-posting scores hold there."""
    import numpy as np

    from bgsearch.engine.postings import Postings, ScoredTerm

    rng = np.random.default_rng(5)
    compared = 0
    for leaf, _ in index.searcher().leaf_searchers():
        reader = leaf.reader()
        for fieldname, tbytes in list(reader.all_terms())[::3]:
            if fieldname not in ("title", "body") or reader.doc_frequency(fieldname, tbytes) < 2:
                continue
            term = ScoredTerm(leaf, None, fieldname, tbytes, Postings(reader, fieldname, tbytes))
            rows = np.sort(rng.choice(len(term.ids), size=len(term.ids) // 2, replace=False))
            some = term.scores_at(rows)  # only these (nothing kept yet)
            assert not term.postings.scores
            assert some.tobytes() == term.scores()[rows].tobytes(), (fieldname, tbytes)
            compared += 1
    assert compared > 10


def test_term_entries_found_by_the_readers_own_probe_are_whooshs(index: Index) -> None:
    """The snapshot looks a term up in a segment's term table itself (in place, faster than Whoosh):
    for every term of every segment it finds Whoosh's entry, and nothing for terms not there."""
    from whoosh.codec.whoosh3 import W3TermInfo

    from bgsearch.engine.reader import TermInfoCache

    checked = 0
    for leaf, _ in index.searcher().leaf_searchers():
        terms = leaf.reader()._terms
        table = TermInfoCache(terms._wrapped if isinstance(terms, TermInfoCache) else terms)
        for fieldname, tbytes in leaf.reader().all_terms():
            found = table.info(fieldname, tbytes)
            whooshs = table._wrapped.term_info(fieldname, tbytes)
            assert type(found) is W3TermInfo and vars(found) == vars(whooshs), (fieldname, tbytes)
            assert table.info(fieldname, tbytes + "щ".encode()) is None or (fieldname, tbytes + "щ".encode()) in terms
            checked += 1
        assert table.info("body", "несъществуващадума".encode()) is None
        assert table.info("no such field", b"x") is None
    assert checked > 200


def test_a_larger_segment_keeps_more_postings(tmp_path: Path) -> None:
    """The postings kept per segment grow with its documents: an index merged into one segment
    keeps what its segments kept, rather than one segment's share."""
    import bgsearch.engine.postings as postings_module

    ix = Index.create(tmp_path / "index")
    ix.add_documents(_seed_sentences(), workers=1)
    queries = [" ".join(words) for words in _terms(ix, 20, seed=6)]
    kept = postings_module.POSTINGS_KEPT, postings_module.POSTINGS_KEPT_PER_DOCUMENT
    held = []
    try:
        for per_document in (0, 10):
            postings_module.POSTINGS_KEPT, postings_module.POSTINGS_KEPT_PER_DOCUMENT = 50, per_document
            ix.add_documents([{"id": f"new{per_document}", "body": "нов текст"}], workers=1)  # a new commit: new caches
            ix.optimize()
            for query in queries:
                ix.search(query, snippets=False)
            (reader, _), = ix.searcher().reader().leaf_readers()
            cache = postings_module._cache_of(reader)
            held.append((cache.kept, len(cache.postings)))
    finally:
        postings_module.POSTINGS_KEPT, postings_module.POSTINGS_KEPT_PER_DOCUMENT = kept
        ix.close()
    assert held[0][0] <= 50 or held[0][1] == 1, held  # (one term's postings may be more alone)
    assert 50 < held[1][0] <= 10 * len(ix) and held[1][1] > 1, held
