"""Phrase matching (bgsearch.phrase) finds exactly the documents whose analyzed text has the
phrase's terms at the phrase's gaps: checked against a brute-force scan of every document, on law
units in an index of several segments with deleted documents."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from bgsearch import Index
from bgsearch.analysis import analyze_tokens
from conftest import SHARED

UNITS = 1_500


def _law_units(count: int) -> list[dict[str, str]]:
    import sys

    if not (SHARED / "data" / "corpora" / "laws.jsonl.gz").exists():
        pytest.skip("../shared/data/corpora/laws.jsonl.gz is not available")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from benchmarks.corpora import data_dir, load_corpus

    return [{"id": d["id"], "body": d["body"]} for d in load_corpus("laws", data_dir(SHARED / "data"), count)]


def _runs(tokens: list) -> dict[tuple[tuple[int, str], ...], str]:  # type: ignore[type-arg]
    """Every run of 2-3 terms with at most one stop word inside, as (offset, term) pairs, with the
    text that wrote it first."""
    found: dict[tuple[tuple[int, str], ...], str] = {}
    for i, first in enumerate(tokens):
        if first.term is None:
            continue
        for length in (2, 3):
            run = tokens[i : i + length + 1]
            terms = [t for t in run if t.term is not None][:length]
            if len(terms) == length and terms[-1].position - first.position <= length:
                key = tuple((t.position - first.position, t.term) for t in terms)
                words = [t.text for t in run if t.position <= terms[-1].position]
                found.setdefault(key, " ".join(words))
    return found


def _positions(tokens: list) -> dict[str, set[int]]:  # type: ignore[type-arg]
    at: dict[str, set[int]] = {}
    for token in tokens:
        if token.term is not None:
            at.setdefault(token.term, set()).add(token.position)
    return at


@pytest.fixture(scope="module")
def law_index(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    docs = _law_units(UNITS)
    ix = Index.create(tmp_path_factory.mktemp("phrases") / "index")
    ix.add_documents(docs, commit_every=500, workers=2)
    deleted = {d["id"] for d in docs[::7]}
    ix.delete(sorted(deleted))
    tokens = {d["id"]: analyze_tokens(d["body"]) for d in docs if d["id"] not in deleted}
    yield ix, tokens
    ix.close()


def test_phrases_match_exactly_the_documents_with_the_terms_at_their_gaps(law_index) -> None:  # type: ignore[no-untyped-def]
    ix, tokens = law_index
    assert ix.stats().segments > 1
    written = {key: text for doc_tokens in tokens.values() for key, text in _runs(doc_tokens).items()}
    positions = {doc_id: _positions(doc_tokens) for doc_id, doc_tokens in tokens.items()}
    rng = random.Random(11)
    keys = rng.sample(sorted(written), 60)
    with_gap = 0
    for key in keys:
        # a stop word holds its place in a phrase, as in Lucene: any word may fill its gap
        expected = {
            doc_id
            for doc_id, at in positions.items()
            if any(all(start + offset in at.get(term, ()) for offset, term in key) for start in at.get(key[0][1], ()))
        }
        query = f'body:"{written[key]}"'
        found = {h.id for h in ix.search(query, limit=1000, snippets=False, fuzzy=False).hits}
        assert found == expected, query
        with_gap += any(b[0] - a[0] > 1 for a, b in zip(key, key[1:]))
    assert with_gap >= 5  # phrases with a stop word inside were checked too
