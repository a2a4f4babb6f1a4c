"""`ClusterIndex`: a bgsearch index held by an OpenSearch cluster with the bgsearch plugin.

The cluster analyzes the text fields with `bgsearch_bulgarian` (the plugin gives exactly bgsearch's
terms and positions); everything else is bgsearch's own, as for the embedded index: documents are
checked by `bgsearch.documents.collect` (the same rejections), queries are parsed and expanded by
`bgsearch.query` (transliteration, typo candidates, the all-words → any-word policy, boosts) asking
the cluster only what `Statistics` offers, the plan is compiled to query DSL (`compile.py`), and
snippets are cut by `bgsearch.highlight` from each hit's `_source`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict
from typing import Any, TypeVar

from ..analysis.pipeline import ANALYZER_VERSION, Pipeline, default_pipeline
from ..documents import Document, Rejected, collect
from ..edits import nearest
from ..fields import BODY, DEFAULT_FIELDS, FIELDS, ID_FIELD
from ..highlight import NO_SNIPPET, document_snippet
from ..query.expand import expand
from ..query.syntax import parse_query
from ..results import FALLBACK_NOTICE, MAX_LIMIT, AddResult, Hit, SearchResults
from ..errors import InvalidArgumentError
from .client import client, opensearchpy
from .compile import GAP, TERMS_ANALYZER, compile_plan, date_filter
from .errors import ClusterError, ClusterUnavailableError

__all__ = ["ClusterIndex", "ClusterStatistics", "index_body", "PLUGIN", "ANALYZER"]

PLUGIN = "bgsearch-analysis"
ANALYZER = "bgsearch_bulgarian"
BULK_CHUNK = 500
_HIT_FIELDS = tuple(spec.name for spec in FIELDS if spec.name not in (ID_FIELD, BODY))
T = TypeVar("T")


def index_body(shards: int = 1, replicas: int = 0) -> dict[str, Any]:
    """The settings and mappings of a bgsearch index (from the field table, `bgsearch.fields`)."""
    properties: dict[str, Any] = {}
    for spec in FIELDS:
        if spec.kind == "text":
            properties[spec.name] = {"type": "text", "analyzer": ANALYZER}
        elif spec.kind == "keyword":
            properties[spec.name] = {"type": "keyword", "normalizer": "bgsearch_lowercase"}
        elif spec.kind == "id":
            properties[spec.name] = {"type": "keyword"}
        elif spec.kind == "date":
            properties[spec.name] = {"type": "date", "format": "yyyy-MM-dd"}
        else:  # stored: returned with each hit (from _source), never searched
            properties[spec.name] = {"type": "keyword", "index": False, "doc_values": False}
    return {
        "settings": {
            "index": {"number_of_shards": shards, "number_of_replicas": replicas},
            "analysis": {
                # Phrases are sent as bgsearch's terms with GAP for each stop word's place.
                "analyzer": {TERMS_ANALYZER: {"type": "custom", "tokenizer": "whitespace",
                                              "filter": ["bgsearch_gap"]}},
                "filter": {"bgsearch_gap": {"type": "stop", "stopwords": [GAP], "ignore_case": False}},
                "normalizer": {"bgsearch_lowercase": {"type": "custom", "filter": ["lowercase"]}},
            },
        },
        "mappings": {"dynamic": "strict", "properties": properties},
    }


class _Calls:
    """Client calls whose failures become one-line bgsearch errors naming the URL."""

    def __init__(self, url: str | list[str], timeout: float) -> None:
        self.url = url if isinstance(url, str) else ", ".join(url)
        self.client = client(url, timeout=timeout)
        self.module = opensearchpy()

    def __call__(self, what: str, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        errors = self.module.exceptions
        try:
            return call(*args, **kwargs)
        except errors.ConnectionError:
            raise ClusterUnavailableError(f"no OpenSearch node answers at {self.url}") from None
        except errors.TransportError as exc:
            reason = _reason(exc)
            if reason.startswith("index_not_found_exception") and "index" in kwargs:
                raise ClusterError(f"no index {kwargs['index']!r} on {self.url}: "
                                   "create it (bgsearch index FILES --cluster URL --name NAME)") from None
            raise ClusterError(f"{what} on {self.url} failed: {reason}") from None


def _reason(exc: Any) -> str:
    info = getattr(exc, "info", None)
    if isinstance(info, dict):
        error = info.get("error")
        if isinstance(error, dict):
            root = (error.get("root_cause") or [error])[0]
            return f"{root.get('type', '')}: {root.get('reason', '')}".strip(": ")
    return str(getattr(exc, "error", exc))


class ClusterStatistics:
    """What query expansion asks of an index (`bgsearch.query.statistics.Statistics`), answered by
    the cluster; one is made for each search, and keeps each term's count for it."""

    def __init__(self, calls: _Calls, name: str) -> None:
        self.calls = calls
        self.name = name
        self._frequency: dict[str, int] = {}

    def doc_frequency(self, term: str) -> int:
        """Documents with `term` in a default field (a count query: exact, not an upper bound)."""
        if term not in self._frequency:
            query = {"bool": {"should": [{"term": {spec.name: term}} for spec in DEFAULT_FIELDS]}}
            answer = self.calls("counting a term", self.calls.client.count, index=self.name, body={"query": query})
            self._frequency[term] = int(answer["count"])
        return self._frequency[term]

    def prefetch(self, terms: Iterable[str]) -> None:
        """The document frequencies of `terms`, in one request (`msearch`) instead of one each."""
        wanted = sorted(set(terms) - set(self._frequency))
        if not wanted:
            return
        body: list[dict[str, Any]] = []
        for term in wanted:
            body += [{"index": self.name},
                     {"size": 0, "track_total_hits": True,
                      "query": {"bool": {"should": [{"term": {spec.name: term}} for spec in DEFAULT_FIELDS]}}}]
        answer = self.calls("counting terms", self.calls.client.msearch, body=body)
        for term, response in zip(wanted, answer["responses"]):
            if "error" not in response:
                self._frequency[term] = _total(response)

    def similar_terms(self, term: str, max_distance: int, limit: int = 5) -> list[tuple[int, str]]:
        """Indexed terms of the default fields within `max_distance` edits (at most 2) of `term`, from
        OpenSearch's term suggester, measured again with bgsearch's edit distance (a swap of
        neighbours is one edit), nearest first, then most frequent."""
        if max_distance < 1:
            return []
        suggest = {
            spec.name: {"text": term, "term": {
                "field": spec.name, "analyzer": TERMS_ANALYZER, "suggest_mode": "always",
                "max_edits": min(2, max_distance), "prefix_length": 0, "min_word_length": 2,
                "size": 4 * limit, "max_term_freq": 1.0, "string_distance": "damerau_levenshtein",
            }} for spec in DEFAULT_FIELDS
        }
        answer = self.calls("looking up similar terms", self.calls.client.search, index=self.name,
                            body={"size": 0, "suggest": suggest})
        frequency: dict[str, int] = {}
        for entries in answer.get("suggest", {}).values():
            for entry in entries:
                for option in entry.get("options", ()):
                    text = option["text"]
                    if text.isalpha():
                        frequency[text] = frequency.get(text, 0) + int(option.get("freq", 0))
        found = [(distance, -frequency[other], other)
                 for distance, other in nearest(term, sorted(frequency), max_distance, 4 * limit)]
        return [(distance, other) for distance, _, other in sorted(found)[:limit]]

    def texts_with(self, term: str, limit: int) -> Iterator[str]:
        """The body texts of up to `limit` documents whose body has `term`."""
        answer = self.calls("reading documents", self.calls.client.search, index=self.name,
                            body={"size": limit, "query": {"term": {BODY: term}}, "_source": [BODY]})
        for hit in answer["hits"]["hits"]:
            yield hit["_source"][BODY]


def _locate(pipeline: Pipeline, text: str) -> Callable[[Iterable[str]], tuple[int | None, set[str]]]:
    """Where the query terms stand in a hit's body (the embedded index reads it from its postings;
    here the body is analyzed again)."""

    def locate(terms: Iterable[str]) -> tuple[int | None, set[str]]:
        wanted = set(terms)
        first, present = None, set()
        for position, term in pipeline.positioned_terms(text):
            if term in wanted:
                first = position if first is None else first
                present.add(term)
                if present == wanted:
                    break
        return first, present

    return locate


class ClusterIndex:
    """An index called `name` on the OpenSearch cluster at `url` (one URL, or several nodes' URLs).

    `ClusterIndex.create(url, name)` makes it (settings and mappings for bgsearch's fields);
    `add_documents` and `search` work as `bgsearch.Index`'s do and return the same `AddResult` and
    `SearchResults`.
    """

    def __init__(self, url: str | list[str], name: str, *, timeout: float = 30.0) -> None:
        self.url = url
        self.name = name
        self.calls = _Calls(url, timeout)
        self.pipeline = default_pipeline()  # the analysis the plugin reproduces

    @property
    def client(self) -> Any:
        """The `opensearchpy.OpenSearch` client."""
        return self.calls.client

    # -- the index -------------------------------------------------------------------------------

    @classmethod
    def create(cls, url: str | list[str], name: str, *, shards: int = 1, replicas: int = 0,
               overwrite: bool = False, timeout: float = 30.0, check_version: bool = True) -> ClusterIndex:
        """Create the index, checking that every node has the bgsearch plugin (of this analyzer
        version, unless `check_version` is False); `overwrite` deletes an index of that name first."""
        index = cls(url, name, timeout=timeout)
        index.check_plugin(check_version)
        indices = index.calls.client.indices
        if overwrite:
            index.calls("deleting the index", indices.delete, index=name, params={"ignore_unavailable": "true"})
        index.calls(f"creating the index {name!r}", indices.create, index=name, body=index_body(shards, replicas),
                    params={"wait_for_active_shards": "1"})
        return index

    @classmethod
    def open_or_create(cls, url: str | list[str], name: str, *, shards: int = 1, replicas: int = 0,
                       timeout: float = 30.0) -> ClusterIndex:
        """The index `name`, created first where there is none (`bgsearch index FILES --cluster URL --name NAME`)."""
        index = cls(url, name, timeout=timeout)
        if index.exists():
            index.check_plugin()
            return index
        return cls.create(url, name, shards=shards, replicas=replicas, timeout=timeout)

    def exists(self) -> bool:
        return bool(self.calls("looking for the index", self.calls.client.indices.exists, index=self.name))

    def check_plugin(self, check_version: bool = True) -> None:
        """ClusterError (one line) unless every node has the bgsearch plugin of this analyzer version."""
        rows = self.calls("listing plugins", self.calls.client.nodes.info, metric="plugins")
        for node in rows.get("nodes", {}).values():
            plugin = next((p for p in node.get("plugins", ()) if p.get("name") == PLUGIN), None)
            if plugin is None:
                raise ClusterError(
                    f"node {node.get('name')} of {self.calls.url} has no {PLUGIN} plugin: install "
                    "lucene/opensearch-plugin's zip on every node (a pre-analyzed mode for clusters "
                    "without plugins is not built yet)")
            if check_version and f"analyzer version {ANALYZER_VERSION}" not in plugin.get("description", ""):
                raise ClusterError(
                    f"node {node.get('name')} of {self.calls.url} has {PLUGIN} {plugin.get('version')}, not "
                    f"analyzer version {ANALYZER_VERSION}: install the plugin built from this bgsearch")

    def __len__(self) -> int:
        answer = self.calls("counting documents", self.calls.client.count, index=self.name)
        return int(answer["count"])

    def refresh(self) -> None:
        self.calls("refreshing", self.calls.client.indices.refresh, index=self.name)

    def delete_index(self) -> None:
        self.calls("deleting the index", self.calls.client.indices.delete, index=self.name,
                   params={"ignore_unavailable": "true"})

    def get(self, doc_id: str) -> Document | None:
        answer = self.calls("reading a document", self.calls.client.get, index=self.name, id=doc_id,
                            ignore=404)
        if not answer.get("found"):
            return None
        return Document(**answer["_source"])

    def analyze(self, text: str) -> list[dict[str, Any]]:
        """The cluster's `_analyze` tokens of `text` with `bgsearch_bulgarian` (offsets in UTF-16 units)."""
        answer = self.calls("analyzing", self.calls.client.indices.analyze,
                            body={"analyzer": ANALYZER, "text": text})
        return list(answer["tokens"])

    # -- writing ---------------------------------------------------------------------------------

    def add_documents(
        self,
        documents: Iterable[Mapping[str, Any] | Document | Rejected],
        *,
        progress: Callable[[int, int], None] | None = None,
        chunk_size: int = BULK_CHUNK,
        refresh: bool = True,
    ) -> AddResult:
        """Add documents (their ids are the cluster's `_id`: adding the same again replaces them,
        never duplicates), checked as `bgsearch.Index.add_documents` checks them; a document the
        cluster refuses is a `Rejected` record with the cluster's reason. `refresh`: searchable on return."""
        started = time.perf_counter()
        batch = collect(documents)
        result = AddResult(rejected=batch.rejected, duplicates=batch.duplicates)
        helpers = self.calls.module.helpers

        def actions() -> Iterator[dict[str, Any]]:
            for doc in batch.documents:
                source = {key: value for key, value in asdict(doc).items() if value is not None}
                yield {"_op_type": "index", "_index": self.name, "_id": doc.id, "_source": source}

        done = 0
        stream = helpers.streaming_bulk(self.calls.client, actions(), chunk_size=chunk_size, max_retries=3,
                                        initial_backoff=1, raise_on_error=False, raise_on_exception=True)
        end = object()
        while (step := self.calls("bulk indexing", next, stream, end)) is not end:
            ok, item = step
            answer = item.get("index", item)
            done += 1
            if ok and answer.get("result") == "updated":
                result.replaced += 1
            elif ok:
                result.added += 1
            else:
                error = answer.get("error")
                reason = (f"{error.get('type')}: {error.get('reason')}" if isinstance(error, dict) else str(error))
                result.rejected.append(Rejected(f"document {answer.get('_id')!r}", f"the cluster refused it: {reason}"))
            if progress and (done % 100 == 0 or done == len(batch.documents)):
                progress(done, len(batch.documents))
        if refresh:
            self.refresh()
        result.seconds = time.perf_counter() - started
        return result

    def delete(self, ids: Iterable[str]) -> list[str]:
        """Delete documents by id; returns the ids that were not in the index."""
        missing = []
        for doc_id in ids:
            answer = self.calls("deleting", self.calls.client.delete, index=self.name, id=doc_id,
                                ignore=404, refresh="true")
            if answer.get("result") != "deleted":
                missing.append(doc_id)
        return missing

    # -- searching -------------------------------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        limit: int = 10,
        offset: int = 0,
        date_from: str | None = None,
        date_to: str | None = None,
        transliterate: bool = True,
        fuzzy: bool = True,
        snippets: bool = True,
    ) -> SearchResults:
        """Search as `bgsearch.Index.search` does (the same syntax, options and results); scores are
        OpenSearch's BM25."""
        started = time.perf_counter()
        if not 1 <= limit <= MAX_LIMIT:
            raise InvalidArgumentError(f"limit must be between 1 and {MAX_LIMIT}, not {limit}")
        if offset < 0:
            raise InvalidArgumentError(f"offset must be 0 or more, not {offset}")
        syntax = parse_query(query)
        statistics = ClusterStatistics(self.calls, self.name)
        statistics.prefetch(self.pipeline.terms(query))  # what expansion asks first, in one request
        plan = expand(syntax, query, self.pipeline, statistics, transliterate=transliterate, fuzzy=fuzzy,
                      date_from=date_from, date_to=date_to)
        results = SearchResults(query, [], offset, suggestions=plan.suggestions, did_you_mean=plan.did_you_mean,
                                notices=plan.notices)
        if plan.query is None or plan.no_date_matches:
            results.seconds = time.perf_counter() - started
            return results
        filters = [date_filter(plan.dates)] if plan.dates is not None else []
        answer = self._run(plan.query, filters, offset, limit, snippets)
        if not answer["hits"]["hits"] and not _total(answer) and plan.fallback is not None:
            answer = self._run(plan.fallback, filters, offset, limit, snippets)
            if _total(answer):
                results.fallback = True
                results.notices.append(FALLBACK_NOTICE)
        results._total = _total(answer)
        some_words = results.fallback or plan.any_word
        for hit in answer["hits"]["hits"]:
            source = hit.get("_source", {})
            snippet = (
                document_snippet(source.get(BODY, ""), plan.highlight_terms, plan.highlight_prefixes, self.pipeline,
                                 some_words, _locate(self.pipeline, source.get(BODY, "")))
                if snippets
                else NO_SNIPPET
            )
            results.hits.append(Hit(id=hit["_id"], score=float(hit.get("_score") or 0.0),
                                    **{name: source.get(name) for name in _HIT_FIELDS},
                                    snippet=snippet.text, highlights=snippet.highlights))
        results.seconds = time.perf_counter() - started
        return results

    def _run(self, node: Any, filters: list[dict[str, Any]], offset: int, limit: int, snippets: bool) -> Any:
        query: dict[str, Any] = {"bool": {"must": [compile_plan(node)]}}
        if filters:
            query["bool"]["filter"] = filters
        body = {"query": query, "from": offset, "size": limit, "track_total_hits": True,
                "_source": True if snippets else {"excludes": [BODY]}}
        return self.calls("searching", self.calls.client.search, index=self.name, body=body)


def _total(answer: Any) -> int:
    total = answer["hits"]["total"]
    return int(total["value"] if isinstance(total, dict) else total)
