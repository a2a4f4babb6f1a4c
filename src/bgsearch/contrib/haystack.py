"""bgsearch as a django-haystack backend: a Django site's `SearchIndex` classes, `rebuild_index`,
`update_index` and `SearchQuerySet` searches, with bgsearch's Bulgarian analysis (every inflected
form of a word meets the others) and query understanding.

    HAYSTACK_CONNECTIONS = {
        "default": {
            "ENGINE": "bgsearch.contrib.haystack.BgsearchEngine",
            "PATH": BASE_DIR / "search_index",   # a directory; created on first use
        },
    }

Options beside ENGINE and PATH: STRICT (True: every word and filter must match, as in other haystack
backends; False: bgsearch's own policy, where a query of four or more words ranks by the words each
document has and a query of two or three falls back to any word when no document has all),
HIGHLIGHT_TAGS (("<mark>", "</mark>")), TRANSLITERATE (True: Latin-script words are also read in
Cyrillic), FUZZY (False: a word the index does not know matches only itself; True, or a `__fuzzy`
filter: also its nearest indexed words), DURABLE (True: every commit is flushed to disk),
INCLUDE_SPELLING (False; True: `spelling_suggestion()` gives bgsearch's "did you mean"; so does
`spelling_suggestion("the query")`, and any search with FUZZY), SILENTLY_FAIL and BATCH_SIZE as
haystack defines them.

The fields of the `SearchIndex` classes become the bgsearch schema (`field_entry` has the rule);
`haystack.constants.ID` is bgsearch's `id` ("app_label.model_name.pk"), `django_ct` and `django_id`
are keywords. Haystack filters that every match must pass, on keyword, number, date and boolean
fields (exact; `in` on keywords; `range`, `gt`, `gte`, `lt`, `lte` on numbers and dates) become
bgsearch's `filters=`; everything else (the content, text fields, filters inside OR and NOT,
`narrow()`) becomes bgsearch query syntax. On text, `contains` and `fuzzy` match words (in any
inflected form), `exact` a phrase, `startswith` a prefix (`word*`).

Not supported: `more_like_this` (NotImplementedError), `endswith` (SearchBackendError), spatial
queries, `boost()` (ignored: the field boosts of the `SearchIndex` apply), `stats`; a DateTimeField
is indexed by its day (in TIME_ZONE).
"""

from __future__ import annotations

import datetime
import decimal
import logging
import math
import os
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils import tree
from haystack.backends import BaseEngine, BaseSearchBackend, BaseSearchQuery, SearchNode, log_query
from haystack.constants import DJANGO_CT, DJANGO_ID, ID
from haystack.exceptions import FacetingError, SearchBackendError, SkipDocument
from haystack.fields import (
    BooleanField,
    DateField,
    DateTimeField,
    DecimalField,
    FacetField,
    FloatField,
    IntegerField,
    LocationField,
)
from haystack.inputs import AutoQuery, BaseInput, Clean, PythonData
from haystack.models import SearchResult
from haystack.utils import get_identifier, get_model_ct
from haystack.utils.app_loading import haystack_get_model

from ..errors import BgsearchError, SchemaError
from ..highlight import Snippet
from ..index import Index
from ..results import MAX_LIMIT

__all__ = ["BgsearchEngine", "BgsearchSearchBackend", "BgsearchSearchQuery", "field_entry"]

log = logging.getLogger("haystack")

FILTER_KINDS = frozenset({"keyword", "number", "date", "boolean"})
DEFAULT_FACET_LIMIT = 100
# A query that matches every document (haystack's "*"): a negation of an id no document has.
MATCH_ALL = 'NOT id:"bgsearch:no-such-document"'
# An `__in=[]` filter: matches nothing, as in the Django ORM.
MATCH_NOTHING = 'id:"bgsearch:no-such-document"'
# Characters the query syntax reads (groups, phrases, fields, prefixes, quotation marks): a word
# holding one is quoted, so it is searched for as written.
_RESERVED = frozenset('()":*„“”«»')
_QUOTES = str.maketrans({"„": '"', "“": '"', "”": '"', "«": '"', "»": '"'})
_TOKEN = re.compile(r'"[^"]*"?|[()]|[^\s()"]+')
_FIELD_PREFIX = re.compile(r"^-?[^\W\d][\w]*:")
_PERIODS = {"year": "year", "month": "month", "day": "day"}


# -- the schema ------------------------------------------------------------------------------------


def field_entry(field: Any) -> dict[str, Any]:
    """The bgsearch schema entry of one haystack `SearchField`:

    - the `document=True` field → `text` (the content; always stored: snippets are cut from it);
    - `indexed=False`, and a `LocationField` → `stored` (returned with hits, never searched);
    - IntegerField, FloatField, DecimalField → `number` (sortable); DateField, DateTimeField →
      `date` (sortable, by day, always a facet: `date_facet` takes any); BooleanField → `boolean`
      (sortable);
    - MultiValueField → `keyword`, `multi`; a facet field (`faceted=True` makes one, `<name>_exact`,
      and any `Facet*Field`) of text → `keyword` (sortable);
    - any other CharField (and Ngram/EdgeNgram fields) → `text`, analyzed, with the field's boost.

    Keywords are exact (`case_sensitive`), as string fields of Solr and Elasticsearch; a field is a
    facet if it is a facet field or `faceted=True`; `stored` follows the field.
    """
    if field.document:
        return {"type": "text", "boost": _boost(field.boost), "stored": True}
    if not field.indexed or isinstance(field, LocationField):
        return {"type": "stored"}
    facet = bool(field.faceted) or isinstance(field, FacetField)
    stored = bool(field.stored)
    if isinstance(field, (IntegerField, FloatField, DecimalField)):
        return {"type": "number", "facet": facet, "sortable": True, "stored": stored}
    if isinstance(field, (DateField, DateTimeField)):  # always a facet: haystack's date_facet takes any
        return {"type": "date", "facet": True, "sortable": True, "stored": stored}
    if isinstance(field, BooleanField):
        return {"type": "boolean", "facet": facet, "sortable": True, "stored": stored}
    if field.is_multivalued:
        return {"type": "keyword", "multi": True, "case_sensitive": True, "facet": facet, "stored": stored}
    if isinstance(field, FacetField):
        return {"type": "keyword", "case_sensitive": True, "facet": True, "sortable": True, "stored": stored}
    return {"type": "text", "boost": _boost(field.boost), "stored": stored}


def _boost(value: Any) -> float:
    try:
        boost = float(value or 1.0)
    except (TypeError, ValueError):
        return 1.0
    return min(max(boost, 0.001), 1000.0)


# -- values, both ways -----------------------------------------------------------------------------


def _iso_date(value: Any) -> str:
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:  # the day in the site's TIME_ZONE, as its pages show it
            from django.utils import timezone

            value = timezone.localtime(value)
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value).strip()
    return text[:10] if re.match(r"\d{4}-\d{2}-\d{2}", text) else text


def _number(value: Any) -> int | float:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, decimal.Decimal):
        return float(value)
    text = str(value).strip()
    try:
        return int(text)
    except ValueError:
        return float(text)


def _boolean(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() not in ("", "0", "false", "no", "off")
    return bool(value)


def _jsonable(value: Any) -> Any:
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _to_index(entry: Mapping[str, Any], value: Any) -> Any:
    """A prepared haystack value as bgsearch takes it for a field of `entry`'s type."""
    kind = entry["type"]
    if kind == "text":
        if isinstance(value, (list, tuple, set)):
            return " ".join(str(item) for item in value if item is not None)
        return str(value)
    if kind == "keyword":
        if entry.get("multi"):
            values = [value] if isinstance(value, (str, bytes)) or not isinstance(value, Iterable) else value
            return [str(item) for item in values if item is not None]
        return str(value)
    if kind == "number":
        return _number(value)
    if kind == "date":
        return _iso_date(value)
    if kind == "boolean":
        return _boolean(value)
    return _jsonable(value)


def _to_python(field: Any, value: Any) -> Any:
    """A stored value as the haystack field gives it back (a DateTimeField: midnight of its day)."""
    if value is None or field is None:
        return value
    if isinstance(field, DateTimeField):
        if isinstance(value, str) and len(value) == 10:
            return datetime.datetime.combine(datetime.date.fromisoformat(value), datetime.time())
        return field.convert(value)
    if isinstance(field, DateField):
        return datetime.date.fromisoformat(value[:10]) if isinstance(value, str) else value
    if field.is_multivalued:
        return list(value) if isinstance(value, (list, tuple)) else [value]
    try:
        return field.convert(value)
    except Exception:  # a field whose value does not convert: as stored
        return value


def _tags(highlight: Any, default: tuple[str, str]) -> tuple[str, str]:
    """The markers a `.highlight(pre_tags=[...], post_tags=[...])` asks for, else the default."""
    if not isinstance(highlight, Mapping):
        return default

    def one(value: Any, fallback: str) -> str:
        if isinstance(value, (list, tuple)):
            value = value[0] if value else fallback
        return fallback if value is None else str(value)

    return one(highlight.get("pre_tags"), default[0]), one(highlight.get("post_tags"), default[1])


def _apply_corrections(query: str, corrections: Mapping[str, str]) -> str | None:
    if not corrections:
        return None
    for word, correction in corrections.items():
        query = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", correction, query)
    return query


def _date_key(bucket: str) -> datetime.datetime | None:
    parts = bucket.split("-")
    try:
        numbers = [int(part) for part in parts] + [1] * (3 - len(parts))
        return datetime.datetime(numbers[0], numbers[1], numbers[2])
    except (ValueError, IndexError):
        return None


def _bucket_end(start: datetime.datetime, period: str) -> datetime.datetime:
    if period == "year":
        return start.replace(year=start.year + 1)
    if period == "month":
        return start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1)
    return start + datetime.timedelta(days=1)


def _as_datetime(value: Any) -> datetime.datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, datetime.date):
        return datetime.datetime(value.year, value.month, value.day)
    return _date_key(str(value)[:10])


# -- the backend -----------------------------------------------------------------------------------


class BgsearchSearchBackend(BaseSearchBackend):
    """One bgsearch index (the connection's PATH) holding every model the connection indexes."""

    RESERVED_WORDS = ["AND", "OR", "NOT"]
    RESERVED_CHARACTERS = sorted(_RESERVED)

    def __init__(self, connection_alias: str, **connection_options: Any) -> None:
        super().__init__(connection_alias, **connection_options)
        path = connection_options.get("PATH")
        if not path:
            raise ImproperlyConfigured(
                f"HAYSTACK_CONNECTIONS[{connection_alias!r}] needs a 'PATH': the directory of the bgsearch index"
            )
        self.path = os.fspath(path)
        self.strict = bool(connection_options.get("STRICT", True))
        self.transliterate = bool(connection_options.get("TRANSLITERATE", True))
        self.fuzzy = bool(connection_options.get("FUZZY", False))
        self.durable = bool(connection_options.get("DURABLE", True))
        tags = connection_options.get("HIGHLIGHT_TAGS", ("<mark>", "</mark>"))
        self.highlight_tags: tuple[str, str] = (str(tags[0]), str(tags[1]))
        self.content_field_name = ""
        self._schema: dict[str, dict[str, Any]] | None = None
        self._index: Index | None = None
        self._lock = threading.RLock()
        self.log = log

    # -- the schema and the index ------------------------------------------------------------------

    def build_schema(self, fields: Mapping[str, Any]) -> tuple[str, dict[str, dict[str, Any]]]:
        """(the content field's name, the bgsearch schema dict) of haystack's unified fields."""
        schema: dict[str, dict[str, Any]] = {
            DJANGO_CT: {"type": "keyword", "case_sensitive": True, "facet": True},
            DJANGO_ID: {"type": "keyword", "case_sensitive": True},
        }
        content_field_name = ""
        # The content first among the text fields: bgsearch cuts the hit's snippet from it.
        for field in sorted(fields.values(), key=lambda field: not field.document):
            name = field.index_fieldname
            if name in (ID, DJANGO_CT, DJANGO_ID):
                raise SearchBackendError(f"the SearchIndex field {name!r} has a name haystack keeps for itself")
            if field.document:
                content_field_name = name
            schema[name] = field_entry(field)
        if not content_field_name:
            raise SearchBackendError(
                "no SearchIndex field has document=True: one text field must hold each object's content"
            )
        return content_field_name, schema

    def schema(self) -> dict[str, dict[str, Any]]:
        """The bgsearch schema of the connection's SearchIndex classes (built once)."""
        if self._schema is None:
            from haystack import connections

            fields = connections[self.connection_alias].get_unified_index().all_searchfields()
            self.content_field_name, self._schema = self.build_schema(fields)
        return self._schema

    def index(self) -> Index:
        """The open index (opened, or created, on first use)."""
        with self._lock:
            if self._index is None:
                try:
                    self._index = Index.open_or_create(self.path, schema=self.schema(), durable=self.durable)
                except SchemaError as exc:
                    raise SearchBackendError(
                        f"{exc} -- the SearchIndex fields changed: run `manage.py rebuild_index`"
                    ) from None
            return self._index

    def close(self) -> None:
        with self._lock:
            if self._index is not None:
                self._index.close()
                self._index = None

    def setup(self) -> None:
        self.index()

    # -- writing -----------------------------------------------------------------------------------

    def document(self, prepared: Mapping[str, Any]) -> dict[str, Any]:
        """A haystack `full_prepare` dict as a bgsearch document."""
        schema = self.schema()
        doc: dict[str, Any] = {}
        for key, value in prepared.items():
            if key == ID:
                doc["id"] = str(value)
                continue
            entry = schema.get(key)
            if value is None or entry is None:
                continue
            converted = _to_index(entry, value)
            if converted == [] or (entry["type"] == "keyword" and converted == ""):
                continue
            doc[key] = converted
        return doc

    def update(self, index: Any, iterable: Iterable[Any], commit: bool = True) -> None:
        documents = []
        for obj in iterable:
            try:
                documents.append(self.document(index.full_prepare(obj)))
            except SkipDocument:
                self.log.debug("Indexing for object `%s` skipped", obj)
        if not documents:
            return
        try:
            with self._lock:
                result = self.index().add_documents(documents, workers=1)
        except BgsearchError as exc:
            self._fail(f"bgsearch could not add {len(documents)} documents: {exc}", exc)
            return
        if result.rejected:
            reasons = "; ".join(f"{rejected.origin}: {rejected.reason}" for rejected in result.rejected[:5])
            self._fail(f"bgsearch rejected {len(result.rejected)} of {len(documents)} documents: {reasons}")

    def remove(self, obj_or_string: Any, commit: bool = True) -> None:
        identifier = get_identifier(obj_or_string)
        try:
            with self._lock:
                self.index().delete([identifier])
        except BgsearchError as exc:
            self._fail(f"bgsearch could not remove {identifier!r}: {exc}", exc)

    def clear(self, models: Sequence[Any] | None = None, commit: bool = True) -> None:
        """Every document (a new, empty index with the SearchIndex fields as they are now), or those
        of `models`."""
        try:
            with self._lock:
                if not models:
                    self.close()
                    self._schema = None  # read the SearchIndex fields again: rebuild_index after a change
                    self._index = Index.create(self.path, schema=self.schema(), overwrite=True, durable=self.durable)
                    return
                kinds = [get_model_ct(model) for model in models]
                ix = self.index()
                ids: list[str] = []
                while True:
                    page = ix.search("", filters={DJANGO_CT: kinds}, limit=MAX_LIMIT, offset=len(ids),
                                     transliterate=False, fuzzy=False, snippets=False)
                    ids += [hit.id for hit in page.hits]
                    if len(page.hits) < MAX_LIMIT:
                        break
                ix.delete(ids)
        except BgsearchError as exc:
            self._fail(f"bgsearch could not clear {self.path}: {exc}", exc)

    def _fail(self, message: str, cause: BaseException | None = None) -> None:
        if not self.silently_fail:
            raise SearchBackendError(message) from cause
        self.log.error(message)

    # -- searching ---------------------------------------------------------------------------------

    def query_text(self, query_string: str, narrow_queries: Iterable[str] | None = None) -> str:
        """The bgsearch query: haystack's query and its narrowing queries, all required."""
        parts = [part.strip() for part in [query_string, *(narrow_queries or ())] if part and part.strip() != "*"]
        parts = [part for part in parts if part]
        if not parts:
            return MATCH_ALL
        return parts[0] if len(parts) == 1 else " ".join(f"({part})" for part in parts)

    @log_query
    def search(self, query_string: str, **kwargs: Any) -> dict[str, Any]:
        if not query_string:
            return {"results": [], "hits": 0}
        try:
            return self._search(query_string, **kwargs)
        except (BgsearchError, FacetingError) as exc:
            if not self.silently_fail or isinstance(exc, FacetingError):
                raise SearchBackendError(f"bgsearch: {exc}") from exc
            self.log.error("bgsearch could not search for %r: %s", query_string, exc)
            return {"results": [], "hits": 0, "facets": {}, "spelling_suggestion": None}

    def _search(
        self,
        query_string: str,
        sort_by: Sequence[str] | None = None,
        start_offset: int = 0,
        end_offset: int | None = None,
        fields: Any = "",
        highlight: Any = False,
        facets: Mapping[str, Any] | None = None,
        date_facets: Mapping[str, Mapping[str, Any]] | None = None,
        query_facets: Sequence[tuple[str, str]] | None = None,
        narrow_queries: Iterable[str] | None = None,
        spelling_query: str | None = None,
        models: Iterable[Any] | None = None,
        limit_to_registered_models: bool | None = None,
        result_class: Any = None,
        filters: Mapping[str, Any] | None = None,
        fuzzy: bool | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        from django.conf import settings
        from haystack import connections

        unified = connections[self.connection_alias].get_unified_index()
        ix = self.index()
        narrow_queries = list(narrow_queries or ())
        query = self.query_text(query_string, narrow_queries)
        search_filters = dict(filters or {})
        if models:
            search_filters[DJANGO_CT] = sorted(get_model_ct(model) for model in models)
        else:
            if limit_to_registered_models is None:
                limit_to_registered_models = getattr(settings, "HAYSTACK_LIMIT_TO_REGISTERED_MODELS", True)
            if limit_to_registered_models:
                registered = self.build_models_list()
                if not registered:
                    return {"results": [], "hits": 0}
                search_filters[DJANGO_CT] = sorted(registered)
        sort: list[str] = []
        for key in sort_by or ():
            descending, name = key.startswith("-"), key.lstrip("-")
            if name in ("score", "_score", "relevance"):
                break  # relevance: what breaks the ties of the keys before it anyway
            sort.append(("-" if descending else "") + unified.get_index_fieldname(name))
        facet_request: dict[str, Any] = {}
        for name, options in (facets or {}).items():
            facet_request[name] = int((options or {}).get("limit") or DEFAULT_FACET_LIMIT)
        for name, details in (date_facets or {}).items():
            if int(details.get("gap_amount", 1)) != 1 or details.get("gap_by") not in _PERIODS:
                raise FacetingError(
                    f"bgsearch counts dates by year, month or day (gap_amount=1), not {details.get('gap_by')!r} "
                    f"x {details.get('gap_amount')}"
                )
            facet_request[name] = _PERIODS[details["gap_by"]]
        start = max(0, int(start_offset or 0))
        limit = MAX_LIMIT if end_offset is None else max(1, min(MAX_LIMIT, int(end_offset) - start))
        wants_page = end_offset is None or int(end_offset) > start
        fuzzy = self.fuzzy if fuzzy is None else fuzzy
        options = dict(filters=search_filters or None, facets=facet_request or None, sort=sort or None,
                       transliterate=self.transliterate, fuzzy=fuzzy, every_word=self.strict)
        if query == MATCH_ALL and search_filters:
            query = ""  # the filters alone: every document that passes them
        results = ix.search(query, limit=limit, offset=start, snippets=bool(highlight), **options)
        hits = results.total
        found = []
        indexed_models = unified.get_indexed_models()
        searchfields = unified.all_searchfields()
        before, after = _tags(highlight, self.highlight_tags)
        result_class = result_class or SearchResult
        for hit in results.hits if wants_page else []:
            stored = dict(hit.fields)
            kind = str(stored.get(DJANGO_CT) or "")
            app_label, _, model_name = kind.partition(".")
            model = haystack_get_model(app_label, model_name) if model_name else None
            if model is None or model not in indexed_models:
                hits -= 1
                continue
            additional = {key: _to_python(searchfields.get(key), value) for key, value in stored.items()
                          if key not in (DJANGO_CT, DJANGO_ID)}
            additional[ID] = hit.id  # "app_label.model_name.pk" (update_index --remove reads it)
            if highlight:
                additional["highlighted"] = {self.content_field_name: [self._highlighted(hit, before, after)]}
            found.append(result_class(app_label, model_name, stored.get(DJANGO_ID), hit.score, **additional))
        suggestions = results.suggestions
        if not fuzzy and (self.include_spelling or spelling_query):  # "did you mean" comes with typo guesses
            probe = ix.search(query, limit=1, snippets=False, **{**options, "facets": None, "fuzzy": True})
            suggestions = probe.suggestions
        answer: dict[str, Any] = {
            "results": found,
            "hits": max(hits, 0),
            "spelling_suggestion": _apply_corrections(spelling_query or query_string, suggestions),
        }
        if facets or date_facets or query_facets:
            answer["facets"] = self._facets(results.facets, facets, date_facets, query_facets,
                                            [query_string, *(narrow_queries or ())], options)
        return answer

    def _highlighted(self, hit: Any, before: str, after: str) -> str:
        snippet = getattr(hit, "snippets", {}).get(self.content_field_name)
        if snippet is not None:
            return str(snippet.formatted(before, after))
        return Snippet(hit.snippet, hit.highlights).formatted(before, after)

    def _facets(
        self,
        counted: Mapping[str, Mapping[str, int]],
        facets: Mapping[str, Any] | None,
        date_facets: Mapping[str, Mapping[str, Any]] | None,
        query_facets: Sequence[tuple[str, str]] | None,
        queries: Sequence[str],
        options: Mapping[str, Any],
    ) -> dict[str, Any]:
        """bgsearch's facet counts as haystack's backends give them: {"fields": {name: [(value,
        count), ...]}, "dates": {name: [(datetime, count), ...]}, "queries": {"field:query": count}}."""
        schema = self.schema()
        out: dict[str, Any] = {"fields": {}, "dates": {}, "queries": {}}
        for name in facets or {}:
            kind = schema.get(name, {}).get("type")
            values = []
            for value, count in counted.get(name, {}).items():
                key: Any = value
                if kind == "number":
                    key = _number(value)
                elif kind == "boolean":
                    key = value == "true"
                values.append((key, count))
            out["fields"][name] = values
        for name, details in (date_facets or {}).items():
            low, high = _as_datetime(details.get("start_date")), _as_datetime(details.get("end_date"))
            buckets = []
            for bucket, count in counted.get(name, {}).items():
                when = _date_key(bucket)
                if when is None:
                    continue
                ends = _bucket_end(when, details["gap_by"])
                if (low is None or ends > low) and (high is None or when < high):  # overlaps [start, end)
                    buckets.append((when, count))
            out["dates"][name] = sorted(buckets)
        ix = self.index()
        for field, facet_query in query_facets or ():
            narrowed = self.query_text(queries[0], [*queries[1:], f"{field}:{facet_query}"])
            counted_query = ix.search(narrowed, limit=1, snippets=False,
                                      **{key: value for key, value in options.items() if key != "facets"})
            out["queries"][f"{field}:{facet_query}"] = counted_query.total
        return out

    def more_like_this(self, model_instance: Any, additional_query_string: str | None = None,
                       result_class: Any = None, **kwargs: Any) -> dict[str, Any]:
        raise NotImplementedError(
            "bgsearch has no 'more like this' yet: search for the words of the object's title instead "
            "(SearchQuerySet().auto_query(obj.title)), or use another haystack backend for it"
        )


# -- the query -------------------------------------------------------------------------------------


def _quoted(text: str) -> str:
    """`text` as a phrase of the query syntax (which has no escape for a quotation mark inside)."""
    return '"' + " ".join(str(text).replace('"', " ").split()) + '"'


def _grouped(parts: Sequence[str], connector: str = " ") -> str:
    parts = [part for part in parts if part]
    if not parts:
        return ""
    return parts[0] if len(parts) == 1 else "(" + connector.join(parts) + ")"


def _fielded(name: str, text: str) -> str:
    """Each word and phrase of `text` (query syntax) looked for in the field `name`."""
    out = []
    for token in _TOKEN.findall(text):
        if token in ("(", ")", "OR", "AND", "NOT") or _FIELD_PREFIX.match(token):
            out.append(token)
        elif token.startswith("-") and len(token) > 1:
            out.append(f"-{name}:{token[1:]}")
        else:
            out.append(f"{name}:{token}")
    return " ".join(out).replace("( ", "(").replace(" )", ")")


class BgsearchSearchQuery(BaseSearchQuery):
    """Haystack's query tree as bgsearch's `filters=` and query syntax (see the module's docstring)."""

    def clean(self, query_fragment: Any) -> Any:
        """Words as written: the query syntax's own words (OR, AND, NOT) in lower case, a word with
        one of its characters (parentheses, quotation marks, `:`, `*`, a leading `-`) quoted."""
        if not isinstance(query_fragment, str):
            return query_fragment
        words = []
        for word in query_fragment.split():
            if word in self.backend.RESERVED_WORDS:
                word = word.lower()
            if word.startswith("-") or any(char in _RESERVED for char in word):
                word = _quoted(word.translate(_QUOTES))
                if word == '""':
                    continue
            words.append(word)
        return " ".join(words)

    def build_exact_query(self, query_string: str) -> str:
        return _quoted(query_string)

    def matching_all_fragment(self) -> str:
        return "*"

    def boost_fragment(self, boost_word: str, boost_value: Any) -> str:
        return ""  # the query syntax has no term boosts; the SearchIndex fields' boosts apply

    # -- the split: filters= and the query ---------------------------------------------------------

    def _unified(self) -> Any:
        from haystack import connections

        return connections[self._using].get_unified_index()

    def split(self) -> tuple[dict[str, Any], list[Any]]:
        """(bgsearch `filters=`, the parts of the tree left for the query syntax). A filter is taken
        out of the tree where it is one of the conditions every match must meet (the top level's
        AND), on a keyword, number, date or boolean field."""
        filters: dict[str, Any] = {}
        rest: list[Any] = []

        def walk(node: Any) -> None:
            if node.negated or (node.connector != SearchNode.AND and len(node.children) > 1):
                rest.append(node)
                return
            for child in node.children:
                if isinstance(child, tree.Node):
                    walk(child)
                    continue
                found = self._filter_of(child)
                if found is None:
                    rest.append(child)
                    continue
                name, value = found
                if name in filters:
                    merged = _intersection(filters[name], value)
                    if merged is None:
                        rest.append(child)
                        continue
                    value = merged
                filters[name] = value

        walk(self.query_filter)
        return filters, rest

    def _filter_of(self, child: tuple[str, Any]) -> tuple[str, Any] | None:
        expression, value = child
        field, filter_type = self.query_filter.split_expression(expression)
        if field == "content":
            return None
        name = self._unified().get_index_fieldname(field)
        kind = self.backend.schema().get(name, {}).get("type")
        if kind not in FILTER_KINDS:
            return None
        if isinstance(value, BaseInput):
            if value.input_type_name not in ("clean", "exact", "python_data"):
                return None
            value = value.query_string
        if hasattr(value, "values_list"):
            value = list(value)
        try:
            return name, _filter_value(kind, filter_type, value)
        except (TypeError, ValueError):
            return None

    def build_query(self) -> str:
        """The query syntax of what `split` leaves (and "*" for nothing: every document)."""
        _, rest = self.split()
        parts = []
        for child in rest:
            if isinstance(child, tree.Node):
                text = child.as_query_string(self.build_query_fragment)
            else:
                expression, value = child
                field, filter_type = self.query_filter.split_expression(expression)
                text = self.build_query_fragment(field, filter_type, value)
            if text:
                parts.append(text)
        return " ".join(parts) if parts else self.matching_all_fragment()

    def build_params(self, spelling_query: str | None = None) -> dict[str, Any]:
        kwargs: dict[str, Any] = super().build_params(spelling_query=spelling_query)
        filters, _ = self.split()
        if filters:
            kwargs["filters"] = filters
        if _asks_fuzzy(self.query_filter):
            kwargs["fuzzy"] = True
        return kwargs

    def build_query_fragment(self, field: str, filter_type: str, value: Any) -> str:
        if not hasattr(value, "input_type_name"):
            if hasattr(value, "values_list"):
                value = list(value)
            value = Clean(value) if isinstance(value, str) and value.strip() else PythonData(value)
        if isinstance(value, AutoQuery):  # Bulgarian quotation marks make a phrase too
            value = AutoQuery(value.query_string.translate(_QUOTES))
        prepared = value.prepare(self)
        name = None if field == "content" else self._unified().get_index_fieldname(field)
        kind = "text" if name is None else self.backend.schema().get(name, {}).get("type", "text")

        if not value.post_process:  # AutoQuery, Raw: query syntax already
            text = str(prepared).strip()
            if name is not None:
                text = _fielded(name, text)
            return f"({text})" if len(text.split()) > 1 and not text.startswith("(") else text

        if filter_type == "endswith":
            raise SearchBackendError("bgsearch has no `endswith`: it matches words (any inflected form) and prefixes")
        if kind in FILTER_KINDS:
            return _filter_syntax(name or "", kind, filter_type, prepared)
        return self._text_fragment(name, filter_type, value, prepared)

    def _text_fragment(self, name: str | None, filter_type: str, value: Any, prepared: Any) -> str:
        prefix = f"{name}:" if name else ""
        if filter_type == "in":
            values = [prepared] if isinstance(prepared, str) else list(prepared)
            if not values:
                return MATCH_NOTHING
            return _grouped([prefix + _quoted(str(item)) for item in values], " OR ")
        if filter_type in ("range", "gt", "gte", "lt", "lte"):
            raise SearchBackendError(f"`{filter_type}` needs a number or date field, and {name or 'content'!r} is text")
        if value.input_type_name == "exact" or filter_type == "exact":
            text = str(prepared)
            phrase = text if text.startswith('"') and text.endswith('"') else _quoted(text)
            return prefix + phrase
        if isinstance(prepared, (list, tuple, set)):
            words = [self.clean(str(item)) for item in prepared]
        elif isinstance(prepared, str):
            words = prepared.split()
        else:
            words = str(self.clean(str(_jsonable(prepared)))).split()
        if filter_type == "startswith":
            words = [word.strip('"').rstrip("*") + "*" for word in words if word.strip('"')]
        return _grouped([_prefixed(prefix, word) for word in words])


def _asks_fuzzy(node: Any) -> bool:
    """Whether a `__fuzzy` filter is anywhere in the tree."""
    for child in node.children:
        if isinstance(child, tree.Node):
            if _asks_fuzzy(child):
                return True
        elif node.split_expression(child[0])[1] == "fuzzy":
            return True
    return False


def _prefixed(prefix: str, word: str) -> str:
    if not prefix:
        return word
    if word.startswith("-") and len(word) > 1:
        return f"-{prefix}{word[1:]}"
    return prefix + word


def _filter_value(kind: str, filter_type: str, value: Any) -> Any:
    """bgsearch's `filters=` value of one haystack filter on a field of `kind`; ValueError where it
    has none (the filter then goes to the query syntax)."""

    def scalar(item: Any) -> Any:
        if kind == "number":
            return _number(item)
        if kind == "date":
            return _iso_date(item)
        if kind == "boolean":
            return _boolean(item)
        return str(item)

    if isinstance(value, (list, tuple, set)) and filter_type not in ("in", "range"):
        raise ValueError("a list")
    if filter_type in ("content", "exact", "contains", "fuzzy"):
        if kind in ("keyword", "boolean"):
            return scalar(value)
        return (scalar(value), scalar(value))
    if filter_type == "in":
        values = list(value) if isinstance(value, (list, tuple, set)) else [value]
        if kind != "keyword" or not values:
            raise ValueError("in: keywords only")
        return [scalar(item) for item in values]
    if kind in ("keyword", "boolean"):
        raise ValueError("ranges: numbers and dates")
    if filter_type == "range":
        low, high = value
        return (None if low is None else scalar(low), None if high is None else scalar(high))
    if filter_type == "gte":
        return (scalar(value), None)
    if filter_type == "lte":
        return (None, scalar(value))
    if filter_type in ("gt", "lt"):
        return (_next(kind, value, 1), None) if filter_type == "gt" else (None, _next(kind, value, -1))
    raise ValueError(filter_type)


def _next(kind: str, value: Any, step: int) -> Any:
    """The least value above (`step` 1) or greatest below (-1) `value`: an exclusive bound made
    inclusive (a date: the next day; a DateTimeField is indexed by its day)."""
    if kind == "date":
        day = datetime.date.fromisoformat(_iso_date(value))
        return (day + datetime.timedelta(days=step)).isoformat()
    number = _number(value)
    if isinstance(number, int):
        return number + step
    return math.nextafter(float(number), math.inf if step > 0 else -math.inf)


def _intersection(old: Any, new: Any) -> Any:
    """Two filters on one field that every match must pass, as one; None where there is no one."""
    if isinstance(old, tuple) and isinstance(new, tuple):
        lows = [low for low in (old[0], new[0]) if low is not None]
        highs = [high for high in (old[1], new[1]) if high is not None]
        return (max(lows) if lows else None, min(highs) if highs else None)
    return old if old == new else None


def _filter_syntax(name: str, kind: str, filter_type: str, prepared: Any) -> str:
    """A filter on a keyword, number, date or boolean field in the query syntax (where it is inside
    an OR or a NOT): `name:"value"`, `name:low..high`."""

    def term(item: Any) -> str:
        if kind == "keyword":
            return _quoted(str(item))
        if kind == "boolean":
            return "true" if _boolean(item) else "false"
        if kind == "date":
            return _iso_date(item)
        return str(_number(item))

    if filter_type == "in":
        values = [prepared] if isinstance(prepared, str) else list(prepared)
        if not values:
            return MATCH_NOTHING
        return _grouped([f"{name}:{term(item)}" for item in values], " OR ")
    if filter_type in ("range", "gt", "gte", "lt", "lte"):
        if kind in ("keyword", "boolean"):
            raise SearchBackendError(f"`{filter_type}` needs a number or date field, and {name!r} is a {kind}")
        low, high = _filter_value(kind, filter_type, prepared)
        return f"{name}:{'' if low is None else term(low)}..{'' if high is None else term(high)}"
    if filter_type == "startswith" and kind == "keyword":
        return f"{name}:{str(prepared).replace(chr(34), '')}*"
    return f"{name}:{term(prepared)}"


class BgsearchEngine(BaseEngine):
    backend = BgsearchSearchBackend
    query = BgsearchSearchQuery
