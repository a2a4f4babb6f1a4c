"""`ClusterIndex`: a bgsearch index held by an OpenSearch cluster with the bgsearch plugin.

The cluster analyzes the text fields with `bgsearch_bulgarian` (the plugin gives exactly bgsearch's
terms and positions) and holds the index's schema (`bgsearch.fields.Schema`) in its mapping's
`_meta`; everything else is bgsearch's own, as for the embedded index: documents are checked by
`bgsearch.documents.collect` against the schema (the same rejections, the same ignored keys),
queries are parsed and expanded by `bgsearch.query` (transliteration, typo candidates, the
all-words → any-word policy, boosts, filters, sort keys, facets) asking the cluster only what
`Statistics` offers, the plan is compiled to query DSL and aggregations (`compile.py`), and hits
with their fields and snippets are made by `bgsearch.search`'s own code from each hit's `_source`.
"""

from __future__ import annotations

import json
import dataclasses
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from typing import Any, TypeVar

from ..analysis.pipeline import ANALYZER_VERSION, Pipeline, default_pipeline
from ..documents import Document, Record, Rejected, collect
from ..edits import nearest
from ..errors import InvalidArgumentError, SchemaError
from ..fields import DEFAULT_SCHEMA, ID_FIELD, Field, Schema
from ..query.expand import expand as expand_query
from ..query import plan as plan_module
from ..query.plan import QueryPlan
from ..query.syntax import parse_query
from ..results import FALLBACK_NOTICE, AddResult, SearchResults
from ..highlight import Locate
from ..hits import make_hit
from ..search import Facets, Filters, Sort, check_page
from .client import client, opensearchpy
from .compile import (DATE_FORMAT, GAP, ORDER_FIELD, TERMS_ANALYZER, compile_plan, facet_aggregations, facet_counts,
                      filter_clause, sort_clauses)
from .errors import ClusterError, ClusterUnavailableError

__all__ = ["ClusterIndex", "ClusterStatistics", "index_body", "field_mapping", "PLUGIN", "ANALYZER"]

PLUGIN = "bgsearch-analysis"
ANALYZER = "bgsearch_bulgarian"
NORMALIZER = "bgsearch_lowercase"
BULK_CHUNK = 500
T = TypeVar("T")
SchemaLike = Schema | Mapping[str, Any] | str

# How the cluster gets bgsearch's terms: its plugin analyzes the text ("plugin"), or bgsearch sends
# its own terms beside the text ("pre-analyzed", for clusters that take no plugins, as most hosted ones).
PLUGIN_ANALYSIS, PRE_ANALYZED = "plugin", "pre-analyzed"
ANALYSES = (PLUGIN_ANALYSIS, PRE_ANALYZED)
TERMS_SUFFIX = "__terms"  # pre-analyzed: a text field's terms (no schema field has "__" in its name)


def index_body(schema: Schema = DEFAULT_SCHEMA, shards: int = 1, replicas: int = 0,
               analysis: str = PLUGIN_ANALYSIS) -> dict[str, Any]:
    """The settings and mappings of a bgsearch index of `schema` (recorded in the mapping's `_meta`,
    with how its text is analyzed)."""
    properties = _properties(schema, analysis)
    properties[ORDER_FIELD] = {"type": "long", "index": False}  # doc values: sorting only
    hidden = [spec.name for spec in schema if not spec.stored and spec.kind != "id"]
    if analysis == PRE_ANALYZED:
        hidden += [spec.name + TERMS_SUFFIX for spec in schema.text_fields]  # the terms are not returned
    mappings: dict[str, Any] = {"dynamic": "strict", "_meta": _meta(schema, analysis), "properties": properties}
    if hidden:
        mappings["_source"] = {"excludes": hidden}
    return {
        "settings": {
            "index": {"number_of_shards": shards, "number_of_replicas": replicas},
            "analysis": {
                # Phrases (and pre-analyzed text) are sent as bgsearch's terms with GAP for each stop word's place.
                "analyzer": {TERMS_ANALYZER: {"type": "custom", "tokenizer": "whitespace",
                                              "filter": ["bgsearch_gap"]}},
                "filter": {"bgsearch_gap": {"type": "stop", "stopwords": [GAP], "ignore_case": False}},
                "normalizer": {NORMALIZER: {"type": "custom", "filter": ["lowercase"]}},
            },
        },
        "mappings": mappings,
    }


def _properties(fields: Iterable[Field], analysis: str) -> dict[str, Any]:
    """The mappings of `fields`; pre-analyzed, a text field keeps its text (returned, not indexed)
    and indexes bgsearch's terms in a field beside it."""
    properties: dict[str, Any] = {}
    for spec in fields:
        if spec.kind == "text" and analysis == PRE_ANALYZED:
            properties[spec.name] = {"type": "object", "enabled": False}
            properties[spec.name + TERMS_SUFFIX] = {"type": "text", "analyzer": TERMS_ANALYZER}
        else:
            properties[spec.name] = field_mapping(spec)
    return properties


def pre_analyzed(pipeline: Pipeline, text: str) -> str:
    """`text` as bgsearch's terms separated by spaces, with GAP for each position a stop word holds:
    the whitespace tokenizer and the gap filter of TERMS_ANALYZER give back bgsearch's terms at
    bgsearch's positions."""
    words: list[str] = []
    last = -1
    for position, term in pipeline.positioned_terms(text):
        words += [GAP] * max(0, position - last - 1)
        words.append(term)
        last = position
    return " ".join(words)


def field_mapping(spec: Field) -> dict[str, Any]:
    """The OpenSearch mapping of one schema field.

    - text: analyzed by `bgsearch_bulgarian` (the plugin: bgsearch's terms and positions);
    - keyword: exact, folded by the `bgsearch_lowercase` normalizer unless case-sensitive; a
      multi-valued one is a JSON array (any keyword field takes one);
    - number: `double`: a document's number is an int or a float, exact up to 2^53 (bgsearch
      refuses larger ints), which a double holds exactly; a `long` would drop fractions and a
      `scaled_float` round them;
    - date: `date` of format yyyy-MM-dd; boolean: `boolean`;
    - stored: an object that is not parsed (`enabled: false`): any JSON value, returned with hits,
      never indexed.
    """
    if spec.kind == "id":
        return {"type": "keyword"}
    if spec.kind == "text":
        return {"type": "text", "analyzer": ANALYZER}
    if spec.kind == "keyword":
        return {"type": "keyword"} if spec.case_sensitive else {"type": "keyword", "normalizer": NORMALIZER}
    if spec.kind == "number":
        return {"type": "double"}
    if spec.kind == "date":
        return {"type": "date", "format": DATE_FORMAT}
    if spec.kind == "boolean":
        return {"type": "boolean"}
    return {"type": "object", "enabled": False}


def _meta(schema: Schema, analysis: str) -> dict[str, Any]:
    """What the mapping's `_meta` records: the schema as its JSON text (the cluster keeps an object's
    keys in an order of its own, and a schema's order matters: the first text field of no boost is
    the body), the analyzer and its version, and how text reaches the index (`analysis`)."""
    return {"bgsearch": {"schema": json.dumps(schema.to_dict(), ensure_ascii=False), "analyzer": ANALYZER,
                         "analyzer_version": ANALYZER_VERSION, "analysis": analysis}}


class _Calls:
    """Client calls whose failures become one-line bgsearch errors naming the URL."""

    def __init__(self, url: str | list[str], timeout: float) -> None:
        self.url = url if isinstance(url, str) else ", ".join(url)
        self.timeout = timeout
        self.client = client(url, timeout=timeout)
        self.module = opensearchpy()

    def __call__(self, what: str, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        errors = self.module.exceptions
        try:
            return call(*args, **kwargs)
        except errors.ConnectionTimeout:
            # A node that takes the connection but does not answer: often a write waiting for a
            # cluster that lost its manager node (reads still answer then).
            raise ClusterUnavailableError(
                f"{what} on {self.url}: no answer within {self.timeout:g} s; wait until the cluster's "
                "health is green (GET _cluster/health) and run it again") from None
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

    def __init__(self, calls: _Calls, name: str, schema: Schema = DEFAULT_SCHEMA,
                 analysis: str = PLUGIN_ANALYSIS) -> None:
        self.calls = calls
        self.name = name
        suffix = TERMS_SUFFIX if analysis == PRE_ANALYZED else ""  # where the text fields' terms are
        self.text_fields = tuple(spec.name + suffix for spec in schema.text_fields)
        self.body = schema.body
        self.body_terms = schema.body + suffix
        self._frequency: dict[str, int] = {}

    def _in_text(self, term: str) -> dict[str, Any]:
        return {"bool": {"should": [{"term": {name: term}} for name in self.text_fields]}}

    def doc_frequency(self, term: str) -> int:
        """Documents with `term` in a text field (a count query: exact, not an upper bound)."""
        if term not in self._frequency:
            answer = self.calls("counting a term", self.calls.client.count, index=self.name,
                                body={"query": self._in_text(term)})
            self._frequency[term] = int(answer["count"])
        return self._frequency[term]

    def prefetch(self, terms: Iterable[str]) -> None:
        """The document frequencies of `terms`, in one request (`msearch`) instead of one each."""
        wanted = sorted(set(terms) - set(self._frequency))
        if not wanted:
            return
        body: list[dict[str, Any]] = []
        for term in wanted:
            body += [{"index": self.name}, {"size": 0, "track_total_hits": True, "query": self._in_text(term)}]
        answer = self.calls("counting terms", self.calls.client.msearch, body=body)
        for term, response in zip(wanted, answer["responses"]):
            if "error" not in response:
                self._frequency[term] = _total(response)

    def similar_terms(self, term: str, max_distance: int, limit: int = 5) -> list[tuple[int, str]]:
        """Indexed terms of the text fields within `max_distance` edits (at most 2) of `term`, from
        OpenSearch's term suggester, measured again with bgsearch's edit distance (a swap of
        neighbours is one edit), nearest first, then most frequent."""
        if max_distance < 1:
            return []
        suggest = {
            name: {"text": term, "term": {
                "field": name, "analyzer": TERMS_ANALYZER, "suggest_mode": "always",
                "max_edits": min(2, max_distance), "prefix_length": 0, "min_word_length": 2,
                "size": 4 * limit, "max_term_freq": 1.0, "string_distance": "damerau_levenshtein",
            }} for name in self.text_fields
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
                            body={"size": limit, "query": {"term": {self.body_terms: term}}, "_source": [self.body],
                                  "sort": [{ORDER_FIELD: {"order": "asc", "unmapped_type": "long"}}]})
        for hit in answer["hits"]["hits"]:
            yield hit["_source"].get(self.body, "")


def _locate(pipeline: Pipeline, text: str) -> Locate:
    """Where the query terms stand in a hit's body (the embedded index reads it from its postings;
    here the body is analyzed again, up to `reach` words past the first match)."""

    def locate(terms: Collection[str], reach: int) -> dict[str, list[int]]:
        wanted = set(terms)
        found: dict[str, list[int]] = {}
        last = None
        for position, term in pipeline.positioned_terms(text):
            if last is not None and position > last:
                break
            if term in wanted:
                last = position + reach if last is None else last
                found.setdefault(term, []).append(position)
        return found

    return locate


class ClusterIndex:
    """An index called `name` on the OpenSearch cluster at `url` (one URL, or several nodes' URLs).

    `ClusterIndex.create(url, name, schema=...)` makes it (settings and mappings for the schema's
    fields; no schema: bgsearch's default six); `add_documents` and `search` work as
    `bgsearch.Index`'s do and return the same `AddResult` and `SearchResults`.
    """

    def __init__(self, url: str | list[str], name: str, *, timeout: float = 30.0) -> None:
        self.url = url
        self.name = name
        self.calls = _Calls(url, timeout)
        self.pipeline = default_pipeline()  # the analysis the plugin reproduces
        self._schema: Schema | None = None
        self._analysis = PLUGIN_ANALYSIS
        self._has_order = False

    @property
    def client(self) -> Any:
        """The `opensearchpy.OpenSearch` client."""
        return self.calls.client

    # -- the index -------------------------------------------------------------------------------

    @classmethod
    def create(cls, url: str | list[str], name: str, *, schema: SchemaLike | None = None, shards: int = 1,
               replicas: int = 0, overwrite: bool = False, timeout: float = 30.0,
               check_version: bool = True, analysis: str = "auto") -> ClusterIndex:
        """Create the index with the fields of `schema` (a `Schema`, a dict as in the README, or a
        path to a schema JSON file; None: id, title, body, date, source, url); `overwrite` deletes an
        index of that name first.

        `analysis`: "plugin" — every node must have the bgsearch plugin (of this analyzer version,
        unless `check_version` is False), which analyzes the text; "pre-analyzed" — bgsearch sends its
        own terms beside the text, for a cluster that takes no plugins (the same terms, positions and
        answers; the text is returned, not indexed); "auto" (default): the plugin where every node
        has it, else pre-analyzed."""
        fields = Schema.of(schema)
        index = cls(url, name, timeout=timeout)
        if analysis == "auto":
            analysis = PLUGIN_ANALYSIS if index.plugin_problem(check_version) is None else PRE_ANALYZED
        if analysis not in ANALYSES:
            raise InvalidArgumentError(f"analysis must be auto, {' or '.join(ANALYSES)}, not {analysis!r}")
        if analysis == PLUGIN_ANALYSIS:
            index.check_plugin(check_version)
        indices = index.calls.client.indices
        if overwrite:
            index.calls("deleting the index", indices.delete, index=name, params={"ignore_unavailable": "true"})
        index.calls(f"creating the index {name!r}", indices.create, index=name,
                    body=index_body(fields, shards, replicas, analysis), params={"wait_for_active_shards": "1"})
        index._schema, index._analysis, index._has_order = fields, analysis, True
        return index

    @classmethod
    def open(cls, url: str | list[str], name: str, *, schema: SchemaLike | None = None,
             timeout: float = 30.0) -> ClusterIndex:
        """The existing index `name` (ClusterError when there is none). `schema`: the fields the
        caller expects: the index's own, or its own and more (they are added to its mapping:
        documents indexed before lack them); anything else is a SchemaError."""
        index = cls(url, name, timeout=timeout)
        index.schema  # noqa: B018 - reads the mapping: a missing index is a one-line ClusterError
        if schema is not None:
            index._match_schema(Schema.of(schema))
        return index

    @classmethod
    def open_or_create(cls, url: str | list[str], name: str, *, schema: SchemaLike | None = None, shards: int = 1,
                       replicas: int = 0, timeout: float = 30.0, analysis: str = "auto") -> ClusterIndex:
        """The index `name`, created first where there is none (`bgsearch index FILES --cluster URL
        --name NAME`); `schema` as for `create` and `open`."""
        index = cls(url, name, timeout=timeout)
        if index.exists():
            opened = cls.open(url, name, schema=schema, timeout=timeout)
            if opened.analysis == PLUGIN_ANALYSIS:
                opened.check_plugin()
            return opened
        return cls.create(url, name, schema=schema, shards=shards, replicas=replicas, timeout=timeout,
                          analysis=analysis)

    def exists(self) -> bool:
        return bool(self.calls("looking for the index", self.calls.client.indices.exists, index=self.name))

    @property
    def schema(self) -> Schema:
        """The index's fields, as its mapping's `_meta` records them (an index made before schemas:
        the default six)."""
        if self._schema is None:
            self._read_mapping()
        assert self._schema is not None
        return self._schema

    @property
    def analysis(self) -> str:
        """How the index gets bgsearch's terms: "plugin" or "pre-analyzed" (see `create`)."""
        if self._schema is None:
            self._read_mapping()
        return self._analysis

    def _read_mapping(self) -> None:
        answer = self.calls("reading the mapping", self.calls.client.indices.get_mapping, index=self.name)
        found: dict[str, Any] = next(iter(answer.values()), {})
        mappings: dict[str, Any] = found.get("mappings", {})
        meta = mappings.get("_meta", {}).get("bgsearch", {})
        self._analysis = PRE_ANALYZED if meta.get("analysis") == PRE_ANALYZED else PLUGIN_ANALYSIS
        recorded = meta.get("schema")
        if recorded is None:
            self._schema = DEFAULT_SCHEMA
        else:
            try:
                entries = json.loads(recorded) if isinstance(recorded, str) else recorded
                self._schema = Schema.from_dict(entries, f"the mapping of {self.name!r} on {self.calls.url}")
            except (SchemaError, ValueError) as exc:
                raise ClusterError(f"{exc}: this bgsearch cannot read the schema the index records") from None
        self._has_order = ORDER_FIELD in mappings.get("properties", {})

    def _match_schema(self, expected: Schema) -> None:
        recorded = self.schema
        if expected == recorded:
            return
        expected.check_extends(recorded, f"the index {self.name!r} on {self.calls.url}",
                               "create the index again (ClusterIndex.create(..., overwrite=True)) and add the documents")
        added = _properties((spec for spec in expected if spec.name not in recorded), self.analysis)
        self.calls("adding fields", self.calls.client.indices.put_mapping, index=self.name,
                   body={"_meta": _meta(expected, self.analysis), "properties": added})
        self._schema = expected

    def _ensure_order_field(self) -> None:
        """An index made before documents kept their order gets the field (adding a field is allowed)."""
        if self._schema is None:
            self._read_mapping()
        if not self._has_order:
            self.calls("adding a field", self.calls.client.indices.put_mapping, index=self.name,
                       body={"properties": {ORDER_FIELD: {"type": "long", "index": False}}})
            self._has_order = True

    def check_plugin(self, check_version: bool = True) -> None:
        """ClusterError (one line) unless every node has the bgsearch plugin of this analyzer version."""
        problem = self.plugin_problem(check_version)
        if problem is not None:
            raise ClusterError(problem)

    def plugin_problem(self, check_version: bool = True) -> str | None:
        """Why the cluster cannot analyze with the plugin (a node without it, or with another
        analyzer version), or None."""
        rows = self.calls("listing plugins", self.calls.client.nodes.info, metric="plugins")
        for node in rows.get("nodes", {}).values():
            plugin = next((p for p in node.get("plugins", ()) if p.get("name") == PLUGIN), None)
            if plugin is None:
                return (f"node {node.get('name')} of {self.calls.url} has no {PLUGIN} plugin: install "
                        "lucene/opensearch-plugin's zip on every node, or create the index with "
                        "analysis=\"pre-analyzed\"")
            if check_version and f"analyzer version {ANALYZER_VERSION}" not in plugin.get("description", ""):
                return (f"node {node.get('name')} of {self.calls.url} has {PLUGIN} {plugin.get('version')}, not "
                        f"analyzer version {ANALYZER_VERSION}: install the plugin built from this bgsearch")
        return None

    def __len__(self) -> int:
        answer = self.calls("counting documents", self.calls.client.count, index=self.name)
        return int(answer["count"])

    def refresh(self) -> None:
        self.calls("refreshing", self.calls.client.indices.refresh, index=self.name)

    def delete_index(self) -> None:
        self.calls("deleting the index", self.calls.client.indices.delete, index=self.name,
                   params={"ignore_unavailable": "true"})

    def get(self, doc_id: str) -> Document | None:
        """The stored document with this id, or None (its fields: the schema's stored ones)."""
        answer = self.calls("reading a document", self.calls.client.get, index=self.name, id=doc_id,
                            ignore=404)
        if not answer.get("found"):
            return None
        stored = self._stored(answer["_source"])
        return Document(str(stored.pop(ID_FIELD, doc_id)), stored)

    def _stored(self, source: Mapping[str, Any]) -> dict[str, Any]:
        """A document's stored fields from its `_source` (what the embedded index stores)."""
        schema = self.schema
        kept: dict[str, Any] = {}
        for name, value in source.items():
            spec = schema.get(name)
            if spec is not None and (spec.stored or spec.kind == "id"):
                kept[name] = value
        return kept

    def analyze(self, text: str) -> list[dict[str, Any]]:
        """The cluster's `_analyze` tokens of `text` with `bgsearch_bulgarian` (offsets in UTF-16 units)."""
        answer = self.calls("analyzing", self.calls.client.indices.analyze,
                            body={"analyzer": ANALYZER, "text": text})
        return list(answer["tokens"])

    # -- writing ---------------------------------------------------------------------------------

    def add_documents(
        self,
        documents: Iterable[Mapping[str, Any] | Document | Record | Rejected],
        *,
        progress: Callable[[int, int], None] | None = None,
        chunk_size: int = BULK_CHUNK,
        refresh: bool = True,
    ) -> AddResult:
        """Add documents (their ids are the cluster's `_id`: adding the same again replaces them,
        never duplicates), checked against the schema as `bgsearch.Index.add_documents` checks them
        (keys the schema does not name are ignored and counted in `AddResult.ignored`); a document
        the cluster refuses is a `Rejected` record with the cluster's reason. `refresh`: searchable
        on return."""
        started = time.perf_counter()
        schema = self.schema
        self._ensure_order_field()
        batch = collect(documents, schema)
        result = AddResult(rejected=batch.rejected, duplicates=batch.duplicates, ignored=dict(batch.ignored))
        helpers = self.calls.module.helpers
        first = time.time_ns()  # documents added later sort after these on ties, as in the embedded index

        analyzed = [spec.name for spec in schema.text_fields] if self.analysis == PRE_ANALYZED else []

        def actions() -> Iterator[dict[str, Any]]:
            for number, doc in enumerate(batch.documents):
                source = {ID_FIELD: doc.id, **doc.fields, ORDER_FIELD: first + number}
                for name in analyzed:  # bgsearch's terms, indexed beside the text
                    if isinstance(doc.fields.get(name), str):
                        source[name + TERMS_SUFFIX] = pre_analyzed(self.pipeline, doc.fields[name])
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

    def delete_by_query(self, query: str) -> int:
        """Delete every document `query` matches as written (no typo guesses, never the any-word
        fallback; its filters hold); returns how many."""
        schema = self.schema
        statistics = ClusterStatistics(self.calls, self.name, schema, self.analysis)
        plan = expand_query(parse_query(query, schema), query, self.pipeline, statistics, schema=schema, fuzzy=False,
                            expand_acronyms=False)
        if plan.query is None:
            return 0
        # The nodes need not have the reindex module (_delete_by_query): the ids, page by page, then bulk deletes.
        ids: list[str] = []
        after: list[Any] | None = None
        while True:
            body: dict[str, Any] = {"query": _query(self._indexed(plan.query), plan), "size": 1000, "_source": False,
                                    "sort": [{ID_FIELD: "asc"}]}
            if after is not None:
                body["search_after"] = after
            rows = self.calls("finding what to delete", self.calls.client.search, index=self.name,
                              body=body)["hits"]["hits"]
            ids += [row["_id"] for row in rows]
            if len(rows) < 1000:
                break
            after = rows[-1]["sort"]
        if not ids:
            return 0
        actions = ({"_op_type": "delete", "_index": self.name, "_id": doc_id} for doc_id in ids)
        deleted, _ = self.calls("deleting by query", self.calls.module.helpers.bulk, self.calls.client, actions,
                                raise_on_error=False, refresh="true")
        return int(deleted)

    # -- searching -------------------------------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        limit: int = 10,
        offset: int = 0,
        filters: Filters | None = None,
        facets: Facets | None = None,
        sort: Sort | None = None,
        fragments: int = 1,
        date_from: str | None = None,
        date_to: str | None = None,
        transliterate: bool = True,
        fuzzy: bool = True,
        snippets: bool = True,
        every_word: bool = False,
        expand: bool = True,
    ) -> SearchResults:
        """Search as `bgsearch.Index.search` does (the same syntax, options and results: filters,
        facets, sort keys, fragments, every_word, acronym expansion); scores are OpenSearch's BM25."""
        started = time.perf_counter()
        check_page(limit, offset, fragments)
        schema = self.schema
        syntax = parse_query(query, schema)
        statistics = ClusterStatistics(self.calls, self.name, schema, self.analysis)
        statistics.prefetch(self.pipeline.terms(query))  # what expansion asks first, in one request
        plan = expand_query(syntax, query, self.pipeline, statistics, schema=schema, transliterate=transliterate,
                            fuzzy=fuzzy, date_from=date_from, date_to=date_to, filters=filters, sort=sort,
                            facets=facets, every_word=every_word, expand_acronyms=expand)
        results = SearchResults(query, [], offset, suggestions=plan.suggestions, did_you_mean=plan.did_you_mean,
                                notices=plan.notices)
        if plan.query is None:
            results.seconds = time.perf_counter() - started
            return results
        answer = self._run(plan.query, plan, offset, limit)
        if not answer["hits"]["hits"] and not _total(answer) and plan.fallback is not None:
            answer = self._run(plan.fallback, plan, offset, limit)
            if _total(answer):
                results.fallback = True
                results.notices.append(FALLBACK_NOTICE)
        results._total = _total(answer)
        results.facets = self._labelled(facet_counts(answer, plan.facets, schema))
        rows = answer["hits"]["hits"]
        for row in rows:
            stored = {**self._stored(row.get("_source", {})), ID_FIELD: row["_id"]}
            score = float(row.get("_score") or 0.0)
            results.hits.append(make_hit(schema, self.pipeline, plan, stored, score, snippets=snippets,
                                         fragments=fragments, fallback=results.fallback,
                                         locate=_locate(self.pipeline, str(stored.get(schema.body) or ""))))
        results.seconds = time.perf_counter() - started
        return results

    def _run(self, node: Any, plan: QueryPlan, offset: int, limit: int) -> Any:
        keys = plan.sort
        body: dict[str, Any] = {"query": _query(self._indexed(node), plan), "from": offset, "size": limit,
                                "track_total_hits": True,
                                "sort": sort_clauses(keys, plan.scored or not keys), "track_scores": True}
        if plan.facets:
            body["aggs"] = facet_aggregations(plan.facets, self.schema)
        return self.calls("searching", self.calls.client.search, index=self.name, body=body)

    def _indexed(self, node: plan_module.Node) -> plan_module.Node:
        """A plan node as the index holds its fields: pre-analyzed, a text field's terms are beside it."""
        if self.analysis != PRE_ANALYZED:
            return node
        texts = {spec.name for spec in self.schema.text_fields}
        return _renamed(node, {name: name + TERMS_SUFFIX for name in texts})

    def _labelled(self, counts: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
        """Facet counts with each case-folded keyword as the first document that has it writes it
        (`БТА`, not `бта`), as the embedded engine labels them: one more request, for the values
        shown."""
        folded = {name: list(values) for name, values in counts.items() if values and _folded(self.schema.get(name))}
        if not folded:
            return counts
        aggregations = {
            f"label:{name}": {"terms": {"field": name, "include": values, "size": len(values)}, "aggs": {
                "first": {"top_hits": {"size": 1, "_source": [name],
                                       "sort": [{ORDER_FIELD: {"order": "asc", "unmapped_type": "long"}}]}}}}
            for name, values in folded.items()
        }
        answer = self.calls("labelling facets", self.calls.client.search, index=self.name,
                            body={"size": 0, "query": {"match_all": {}}, "aggs": aggregations})
        labelled = dict(counts)
        for name in folded:
            written: dict[str, str] = {}
            for bucket in answer.get("aggregations", {}).get(f"label:{name}", {}).get("buckets", []):
                term = str(bucket["key"])
                for hit in bucket["first"]["hits"]["hits"][:1]:
                    value = hit.get("_source", {}).get(name)
                    spellings = [v for v in (value if isinstance(value, list) else [value])
                                 if isinstance(v, str) and v.lower() == term]
                    if spellings:
                        written[term] = spellings[0]
            labelled[name] = {written.get(term, term): count for term, count in counts[name].items()}
        return labelled


def _renamed(node: plan_module.Node, names: Mapping[str, str]) -> plan_module.Node:
    """`node` with the fields of its terms, phrases and prefixes renamed by `names`."""
    if isinstance(node, (plan_module.Term, plan_module.Phrase, plan_module.Prefix)):
        return dataclasses.replace(node, field=names.get(node.field, node.field))
    if isinstance(node, (plan_module.AnyOf, plan_module.AllOf)):
        return dataclasses.replace(node, children=tuple(_renamed(child, names) for child in node.children))
    if isinstance(node, (plan_module.AllWords, plan_module.AnyWords)):
        return dataclasses.replace(node, words=tuple(_renamed(word, names) for word in node.words))
    if isinstance(node, plan_module.Not):
        return dataclasses.replace(node, child=_renamed(node.child, names))
    return node  # filters (not text fields), everything


def _folded(spec: Field | None) -> bool:
    return spec is not None and spec.kind == "keyword" and not spec.case_sensitive and spec.stored


def _query(node: Any, plan: QueryPlan) -> dict[str, Any]:
    """The query of a plan node limited by the plan's filters (every one must hold: a filter that
    matches nothing leaves no hit)."""
    query: dict[str, Any] = {"bool": {"must": [compile_plan(node)]}}
    if plan.filters:
        query["bool"]["filter"] = [filter_clause(node) for node in plan.filters]
    return query


def _total(answer: Any) -> int:
    total = answer["hits"]["total"]
    return int(total["value"] if isinstance(total, dict) else total)
