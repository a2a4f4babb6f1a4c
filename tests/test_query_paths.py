"""The query path's shortcuts for large indexes rank exactly as the plain paths they replace: a
page cut from every segment's scored arrays (`top_k.top_k`; a phrase's candidates checked from
the best bound down) is the page Whoosh's top-k collector gives over the same matchers; document
sets joined as masks over a segment (`postings.union`, `postings.intersect`) give the sorted joins'
documents and scores to the last bit; blocks read by position (`postings._small_steps`) give the
ids and weights the pattern-checked unpickling gives. Checked on the seed sentences and on law
units, over three commits with deleted documents; and postings read a block at a time
(`postings.read_blocks`) hold what Whoosh's matcher reads, on words placed to give every kind of
block."""

from __future__ import annotations

import random
import re
from typing import Any

import pytest

import bgsearch.engine.docids as docids
import bgsearch.engine.execute as execute_module
import bgsearch.engine.postings as postings_module
from bgsearch import Index
from test_postings import _law_units, _seed_sentences, _terms

_PAGES: list[dict[str, Any]] = [{"limit": 1}, {"limit": 10}, {"limit": 10, "offset": 10}, {"limit": 100}]
_EVEN = {"source": "чет"}  # a filter half the documents pass


@pytest.fixture(scope="module", params=["seed sentences", "law units"])
def index(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    docs = _seed_sentences() if request.param == "seed sentences" else _law_units()
    for number, doc in enumerate(docs):
        doc["source"] = "чет" if number % 2 else "нечет"  # a keyword to filter by
    ix = Index.create(tmp_path_factory.mktemp("paths") / "index")
    third = len(docs) // 3
    for part in (docs[:third], docs[third : 2 * third], docs[2 * third :]):  # three commits, three segments
        ix.add_documents(part, workers=1)
    ix.delete([d["id"] for d in docs[::5]])
    yield ix
    ix.close()


def _phrases(ix: Index, count: int, seed: int) -> list[str]:
    """`count` phrases of 2-3 words that stand together in a live document's body."""
    rng = random.Random(seed)
    searcher = ix.searcher()
    docnums = list(searcher.reader().all_doc_ids())
    phrases = []
    while len(phrases) < count:
        words = re.findall(r"[а-яА-Я]{3,}", searcher.stored_fields(rng.choice(docnums)).get("body", ""))
        if len(words) >= 3:
            start = rng.randrange(len(words) - 2)
            phrases.append('"' + " ".join(words[start : start + rng.choice((2, 3))]) + '"')
    return phrases


def _pages(ix: Index, queries: list[str], pages: list[dict[str, Any]] = _PAGES) -> list[list[Any]]:
    """Each query's pages (ids and exact scores) and its count."""
    found = []
    for query in queries:
        for options in pages:
            results = ix.search(query, snippets=False, **options)
            found.append([query, options, [(hit.id, repr(hit.score)) for hit in results.hits], results.total])
    return found


def test_phrases_checked_from_the_best_bound_down_give_the_collectors_pages(index: Index,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Common phrases have many candidates, most of them on no page: checked best first, only a few
    are; the pages (and their order among equal scores) must be those of Whoosh's collector, which
    checks them in document order."""
    phrases = _phrases(index, 40, seed=3) + ['"на територията"', '"в срок"', '"и на"']
    ours = _pages(index, phrases)
    monkeypatch.setattr(execute_module, "top_k", lambda *args: None)  # Whoosh's collector instead
    assert ours == _pages(index, phrases)
    assert sum(len(page[2]) > 0 for page in ours) >= 40
    if len(index) >= 500:  # the law units (the seed sentences are a few dozen)
        assert sum(len(page[2]) >= 10 for page in ours) >= 10  # pages cut from more matches than they show


def test_word_queries_cut_from_arrays_give_the_collectors_pages(index: Index, monkeypatch: pytest.MonkeyPatch) -> None:
    """1-3 words, either of two, with and without a filter: the same page, exact scores and order
    among equal scores (many in the short seed sentences) as Whoosh's collector walking the segments."""
    queries = [" ".join(words) for words in _terms(index, 30, seed=12)] + ["закон", "член", "и"]
    queries += [f"{words[0]} OR {words[-1]}" for words in _terms(index, 10, seed=13)]
    pages = [*_PAGES, {"limit": 10, "filters": _EVEN}, {"limit": 3, "offset": 2, "filters": _EVEN}]
    ours = _pages(index, queries, pages)
    monkeypatch.setattr(execute_module, "top_k", lambda *args: None)
    assert ours == _pages(index, queries, pages)
    scores = [[score for _, score in page[2]] for page in ours]
    assert sum(len(set(page)) < len(page) for page in scores) >= 10  # pages with equal scores: ties decided
    if len(index) >= 500:  # the law units (the seed sentences are a few dozen)
        assert sum(len(page) >= 10 for page in scores) >= 40  # pages cut from more matches than they show


def test_a_filtered_phrase_is_the_first_of_its_matches_that_pass(index: Index) -> None:
    """The page of a phrase with a filter is its unfiltered ranking without the documents the filter
    refuses. (Through Whoosh's collector, the filter's wrapper skipped by the phrase's scores without
    filtering where it landed: a refused document could head the page.)"""
    for phrase in _phrases(index, 40, seed=4) + ['"на територията"', '"в срок"']:
        every = [hit for hit in index.search(phrase, limit=1000, snippets=False).hits if hit.fields["source"] == "чет"]
        for options in _PAGES:
            page = index.search(phrase, snippets=False, filters=_EVEN, **options)
            start = options.get("offset", 0)
            expected = every[start : start + options["limit"]]
            assert [(hit.id, hit.score) for hit in page.hits] == [(hit.id, hit.score) for hit in expected], phrase
            assert page.total == len(every)


@pytest.mark.parametrize("dense", [True, False])
def test_sets_joined_as_masks_or_sorted_give_the_same_documents_and_scores(index: Index, dense: bool,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Every word query and phrase ranks alike whichever way its terms' documents are joined."""
    queries = [" ".join(words) for words in _terms(index, 30, seed=9)]
    queries += [f"{words[0]} OR {words[-1]}" for words in _terms(index, 10, seed=10)] + _phrases(index, 20, seed=11)
    pages = [*_PAGES, {"limit": 10, "filters": _EVEN}]
    expected = _pages(index, queries, pages)
    monkeypatch.setattr(postings_module, "_dense", lambda postings, size: dense)
    assert _pages(index, queries, pages) == expected


def test_blocks_read_by_position_hold_the_unpickled_ids_and_weights(index: Index, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every term of every segment: the ids and weights read by position where a block allows equal
    those the pattern-checked unpickling reads, kept as narrowly as they are exact."""
    import numpy as np

    read_by_position = postings_module._small_steps
    used = 0

    def counted(head: bytes, count: int) -> Any:
        nonlocal used
        found = read_by_position(head, count)
        used += found is not None
        return found

    for reader, _ in index.searcher().reader().leaf_readers():
        for fieldname, tbytes in reader.all_terms():
            monkeypatch.setattr(postings_module, "_small_steps", counted)
            fast = postings_module.Postings(reader, fieldname, tbytes)
            monkeypatch.setattr(postings_module, "_small_steps", lambda *args: None)
            plain = postings_module.Postings(reader, fieldname, tbytes)
            assert np.array_equal(fast.ids, plain.ids) and np.array_equal(fast.weights, plain.weights), (fieldname, tbytes)
            assert (fast.ids.dtype, fast.weights.dtype) == (plain.ids.dtype, plain.weights.dtype)
    assert used > 10


def test_blocks_read_at_once_hold_what_whooshs_matcher_reads(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Words placed so that their blocks hold weights all 1.0, all alike (2.0), and mixed, and steps
    of 256 or more (a block unpickled, between blocks read by position): every term's ids and weights
    as `read_blocks` and the `.ids` file read them are those Whoosh's matcher reads, and the block at each
    block's position holds its values."""
    import numpy as np

    seeds = [doc["body"] for doc in _seed_sentences()]
    docs = []
    for number in range(1200):
        words = [seeds[number % len(seeds)], "теменуга " * (1 + number % 3)]  # mixed weights
        if number < 300:
            words.append("слънчоглед")  # weights all 1.0
        if 300 <= number < 600:
            words.append("кокиче кокиче")  # all 2.0
        if number < 200 or number % 300 == 0:  # a block of steps < 256, then one with steps of 300
            words.append("невен")
        docs.append({"id": f"d{number}", "body": " ".join(words)})
    ix = Index.create(tmp_path / "index")
    ix.add_documents(docs, workers=1)
    mixed_blocks = next(iter(ix.analyzer("невен"))).text

    read_by_position = postings_module._small_steps
    kinds: list[str] = []  # of the blocks of the term being read

    def classified(head: bytes, count: int) -> Any:
        found = read_by_position(head, count)
        if found is None:
            kinds.append("unpickled" if count >= 4 else "short")
        else:
            weights = {found[2][at : at + 9] for at in range(0, len(found[2]), 9)}
            kinds.append("ones" if weights == {postings_module._ONE} else "alike" if len(weights) == 1 else "mixed")
        return found

    monkeypatch.setattr(postings_module, "_small_steps", classified)
    seen: set[str] = set()
    term_kinds: dict[str, set[str]] = {}
    from_ids_files = 0
    try:
        for reader, _ in ix.searcher().reader().leaf_readers():
            for fieldname, tbytes in reader.all_terms():
                kinds.clear()
                offset, length = postings_module.extent(reader._terms.term_info(fieldname, tbytes))
                from_blocks = postings_module.read_blocks(reader._terms._postfile.get(offset, length), offset)
                from_ids_file = postings_module.read_postings(reader, fieldname, tbytes)  # the `.ids` file's, if it has the term
                ids, weights, values = postings_module.read_whole(reader, fieldname, tbytes)
                for read in (from_blocks, from_ids_file):
                    assert read is not None, (fieldname, tbytes)
                    # The blocks' as Whoosh reads them; the `.ids` file's in 4 bytes each, every value exact.
                    assert (read[0].dtype, read[1].dtype) in ((np.int64, np.float64), (np.int32, np.float32))
                    assert (from_blocks[0].dtype, from_blocks[1].dtype) == (np.int64, np.float64)
                    assert np.array_equal(read[0], ids), (fieldname, tbytes)
                    assert read[1].astype(np.float64).tobytes() == weights.tobytes(), (fieldname, tbytes)
                    assert read[2:] == from_blocks[2:]  # each block's first row and position
                postings = postings_module.Postings(reader, fieldname, tbytes)
                assert [postings.value(row) for row in range(len(ids))] == values, (fieldname, tbytes)
                if len(ids) >= docids.MIN_POSTINGS:
                    docids_file = postings_module._cache_of(reader).docids(reader)
                    assert docids_file is not None and docids_file.read(
                        offset, length, len(ids), ids[0], ids[-1], reader.doc_count_all()) is not None, (fieldname, tbytes)
                    from_ids_files += 1
                seen.update(kinds)
                if fieldname == "body":
                    term_kinds[tbytes.decode()] = set(kinds)
    finally:
        ix.close()
    assert {"ones", "alike", "mixed", "unpickled", "short"} <= seen
    assert {"ones", "unpickled"} <= term_kinds[mixed_blocks]
    assert from_ids_files >= 3  # слънчоглед, кокиче, теменуга, and the seeds' common words


@pytest.mark.parametrize("sizes", [(150, 250), (40, 900), (500, 6_000), (2_000, 2_500), (9_000, 3_000, 20)])
def test_set_joins_give_numpys_documents_and_rows(sizes: tuple[int, ...]) -> None:
    """`intersect` and `union_rows` on a segment of 10,000 documents, by every way they take
    (a sort, masks, a few documents merged into many): the documents np.intersect1d and
    np.union1d give, and each document's row in each set."""
    import numpy as np

    rng = np.random.default_rng(sum(sizes))
    size = 10_000
    sets = [np.sort(rng.choice(size, count, replace=False)).astype(np.int32) for count in sizes]
    shared = min(map(len, sets[:2])) // 2
    sets[0][:shared] = sets[1][:shared]  # some of the first set in the second
    sets[0] = np.unique(sets[0])
    both, here, there = postings_module.intersect(sets[0], sets[1], size)
    assert both.tolist() == np.intersect1d(sets[0], sets[1]).tolist()
    assert (sets[0][here] == both).all() and (sets[1][there] == both).all()
    docs, rows = postings_module.union_rows(sets, size)
    assert docs.tolist() == np.unique(np.concatenate(sets)).tolist()
    for some, found in zip(sets, rows):
        assert (some[found[found >= 0]] == docs[found >= 0]).all()
        assert np.count_nonzero(found >= 0) == len(some)
