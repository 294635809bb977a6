"""Elasticsearch (and OpenSearch) search backend.

Documents carry the same pre-analysed term strings as the embedded index
(`search_api.analysis`), in `whitespace`-analysed text fields, so no language
plugin is needed and both backends match the same documents. Writes and reads
go through an alias: a rebuild fills a fresh index, the alias moves to it in one
atomic update_aliases call and the old index is deleted afterwards.

Query bodies are plain dicts shared by both flavours; only the client class,
the bulk helper and the connection-error type differ (`_Flavour`).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from search_api import analysis
from search_api import query as query_language
from search_api.backends import common
from search_api.contract import (
    FACETS,
    BackendUnavailable,
    FacetCount,
    HistogramBucket,
    IndexDocument,
    IndexedValue,
    Interval,
    SearchHit,
    SearchQuery,
    SearchResult,
    Sort,
)
from search_api.query import Everything, Facet, Node, Not, Or, Phrase, Plan, Prefix, Range, Term
from search_api.vocabulary import Vocabulary

CHUNK_SIZE = 500
# Between the alias and an index's timestamp. Not "-": the template for alias "kume" would then also
# match the indices of an alias "kume-staging" on the same cluster, which Elasticsearch refuses.
INDEX_SEPARATOR = ".v"
MAX_CHUNK_BYTES = 10 * 1024 * 1024
MAX_RETRIES = 5
INITIAL_BACKOFF_S = 1.0
TITLE_BOOST = 2.0
# One shard keeps facet counts exact; a larger corpus can raise it together with shard_size on terms aggregations.
SHARDS = 1
_KEY_SEPARATOR = "\x1f"
_INDEX_ONLY_FIELDS = (
    "title_terms",
    "body_terms",
    "title_compounds",
    "body_compounds",
    "facet_keys",
    "name_keys",
    "event_spans",
)
# How long a process trusts the facet values and names it read (other processes may write meanwhile).
VOCABULARY_TTL_S = 30.0
_WORD_FIELDS = {
    False: [f"title_terms^{TITLE_BOOST}", "body_terms", f"title_compounds^{TITLE_BOOST}", "body_compounds"],
    True: ["title_terms", "title_compounds"],
}
_PHRASE_FIELDS = {False: [f"title_terms^{TITLE_BOOST}", "body_terms"], True: ["title_terms"]}

_MAPPINGS: dict[str, Any] = {
    "dynamic": "strict",
    "_source": {"excludes": list(_INDEX_ONLY_FIELDS)},
    "properties": {
        "id": {"type": "keyword"},
        "url": {"type": "keyword", "index": False},
        "title": {"type": "text", "index": False},
        "body": {"type": "text", "index": False},
        "title_terms": {"type": "text", "analyzer": "whitespace"},
        "body_terms": {"type": "text", "analyzer": "whitespace"},
        "title_compounds": {"type": "text", "analyzer": "whitespace"},
        "body_compounds": {"type": "text", "analyzer": "whitespace"},
        "names": {"type": "object", "enabled": False},
        # facet \x1f value \x1f name: the names the extraction gave facet values, read back by indexed_values.
        "name_keys": {"type": "keyword"},
        "published": {"type": "date", "format": "strict_date"},
        "event_dates": {
            "type": "nested",
            "properties": {
                "start": {"type": "date", "format": "strict_date"},
                "end": {"type": "date", "format": "strict_date"},
            },
        },
        # Filters use these spans and histograms the nested starts: a range query on the field a
        # date_histogram buckets lets Elasticsearch clip the buckets to the query's bounds, which
        # miscounts documents that have events both inside and outside the asked range.
        "event_spans": {"type": "date_range", "format": "strict_date"},
        # facet \x1f folded value \x1f value: prefix suggestions by include-regex on one terms aggregation.
        "facet_keys": {"type": "keyword"},
        **{facet: {"type": "keyword"} for facet in FACETS},
    },
}

_CALENDAR_INTERVAL = {Interval.MONTH: "month", Interval.QUARTER: "quarter", Interval.YEAR: "year"}


@dataclass(frozen=True)
class _Flavour:
    """What differs between elasticsearch-py and opensearch-py; everything else is shared."""

    name: str
    make_client: Callable[[str], Any]
    streaming_bulk: Callable[..., Iterable[tuple[bool, dict[str, Any]]]]
    unreachable: tuple[type[BaseException], ...]
    not_found: type[BaseException]
    bad_request: type[BaseException]


def _elasticsearch_flavour() -> _Flavour:
    import elastic_transport
    import elasticsearch
    from elasticsearch import helpers

    def make_client(url: str) -> Any:
        return elasticsearch.Elasticsearch(url, request_timeout=60, max_retries=2, retry_on_timeout=True)

    return _Flavour(
        name="Elasticsearch",
        make_client=make_client,
        streaming_bulk=helpers.streaming_bulk,
        unreachable=(elastic_transport.TransportError,),
        not_found=elasticsearch.NotFoundError,
        bad_request=elasticsearch.BadRequestError,
    )


def _opensearch_flavour() -> _Flavour:
    try:
        import opensearchpy
        from opensearchpy import helpers
    except ImportError as exc:
        raise BackendUnavailable("backend 'opensearch' needs opensearch-py: pip install 'kume[opensearch]'") from exc

    def make_client(url: str) -> Any:
        return opensearchpy.OpenSearch(url, timeout=60, max_retries=2, retry_on_timeout=True)

    return _Flavour(
        name="OpenSearch",
        make_client=make_client,
        streaming_bulk=helpers.streaming_bulk,
        unreachable=(opensearchpy.exceptions.ConnectionError,),
        not_found=opensearchpy.exceptions.NotFoundError,
        bad_request=opensearchpy.exceptions.RequestError,
    )


class ElasticBackend:
    """SearchBackend over an Elasticsearch or OpenSearch alias."""

    answers_in_process = False

    def __init__(self, client: Any, url: str, alias: str, flavour: _Flavour) -> None:
        self.client = client
        self.url = url
        self.alias = alias
        self._flavour = flavour
        self._alias_ready = False
        self._vocabulary: tuple[float, list[IndexedValue], Vocabulary] | None = None

    @classmethod
    def connect(cls, url: str, alias: str, *, flavour: str = "elasticsearch") -> ElasticBackend:
        """A backend for `alias` on the cluster at `url`; nothing is sent until the first call."""
        chosen = _opensearch_flavour() if flavour == "opensearch" else _elasticsearch_flavour()
        return cls(chosen.make_client(url), url, alias, chosen)

    # -- plumbing ------------------------------------------------------------

    @contextmanager
    def _reachable(self) -> Iterator[None]:
        try:
            yield
        except self._flavour.unreachable as exc:
            raise BackendUnavailable(f"{self._flavour.name} at {self.url} is unreachable: {exc}") from exc

    def _ensure_alias(self) -> None:
        """Install the index template and, on a new cluster, a first index behind the alias."""
        if self._alias_ready:
            return
        indices = self.client.indices
        indices.put_index_template(
            name=f"{self.alias}-template",
            body={
                "index_patterns": [f"{self.alias}{INDEX_SEPARATOR}*"],
                "template": {
                    "settings": {"number_of_shards": SHARDS, "number_of_replicas": 0},
                    "mappings": _MAPPINGS,
                },
            },
        )
        if not indices.exists_alias(name=self.alias):
            first = self._new_index_name()
            indices.create(index=first, body={"aliases": {self.alias: {"is_write_index": True}}})
        self._alias_ready = True

    def _new_index_name(self) -> str:
        return f"{self.alias}{INDEX_SEPARATOR}{time.time_ns()}"

    def _bulk(self, actions: Iterable[dict[str, Any]], *, tolerate_missing: bool = False) -> int:
        written = 0
        for ok, item in self._flavour.streaming_bulk(
            self.client,
            actions,
            chunk_size=CHUNK_SIZE,
            max_chunk_bytes=MAX_CHUNK_BYTES,
            max_retries=MAX_RETRIES,
            initial_backoff=INITIAL_BACKOFF_S,
            raise_on_error=not tolerate_missing,
        ):
            if ok:
                written += 1
                continue
            result = next(iter(item.values()))
            if result.get("status") != 404:
                raise RuntimeError(f"{self._flavour.name} at {self.url} refused {result.get('_id')}: {result}")
        return written

    # -- writing -------------------------------------------------------------

    def bulk_upsert(self, docs: Iterable[IndexDocument]) -> int:
        self._vocabulary = None
        with self._reachable():
            self._ensure_alias()
            written = self._bulk(_index_action(self.alias, doc) for doc in docs)
            self.client.indices.refresh(index=self.alias)
        return written

    def delete(self, ids: Iterable[str]) -> int:
        self._vocabulary = None
        with self._reachable():
            self._ensure_alias()
            actions = ({"_op_type": "delete", "_index": self.alias, "_id": doc_id} for doc_id in ids)
            deleted = self._bulk(actions, tolerate_missing=True)
            self.client.indices.refresh(index=self.alias)
        return deleted

    def rebuild(self, docs: Iterable[IndexDocument]) -> int:
        self._vocabulary = None
        with self._reachable():
            self._ensure_alias()
            indices = self.client.indices
            self._drop_orphans()
            old = list(indices.get_alias(name=self.alias))
            new = self._new_index_name()
            # No refreshes while loading; the index is invisible to readers until the alias moves.
            indices.create(index=new, body={"settings": {"refresh_interval": "-1"}})
            try:
                written = self._bulk(_index_action(new, doc) for doc in docs)
                indices.put_settings(index=new, body={"index": {"refresh_interval": "1s"}})
                indices.refresh(index=new)
            except BaseException:
                indices.delete(index=new, ignore_unavailable=True)
                raise
            actions: list[dict[str, Any]] = [{"remove": {"index": index, "alias": self.alias}} for index in old]
            actions.append({"add": {"index": new, "alias": self.alias, "is_write_index": True}})
            indices.update_aliases(body={"actions": actions})
            for index in old:
                indices.delete(index=index, ignore_unavailable=True)
        return written

    def _drop_orphans(self) -> None:
        """Delete the indices of this alias's naming scheme that no alias points to: what a rebuild killed
        before its own clean-up (or before its switch) leaves behind. A rebuild of the same alias running
        at the same time loses its half-built index too; two at once would fight over the alias anyway."""
        own = re.compile(re.escape(self.alias + INDEX_SEPARATOR) + r"\d+")
        found = self.client.indices.get_alias(index=f"{self.alias}{INDEX_SEPARATOR}*")
        for index, info in dict(found).items():
            if own.fullmatch(index) and not info.get("aliases"):
                self.client.indices.delete(index=index, ignore_unavailable=True)

    # -- reading -------------------------------------------------------------

    def _search(self, body: dict[str, Any]) -> dict[str, Any]:
        with self._reachable():
            self._ensure_alias()
            response = self.client.search(index=self.alias, body=body)
        return dict(response)

    def search(self, query: SearchQuery) -> SearchResult:
        common.check_query(query)
        plan = query_language.plan(query.q, self.vocabulary())
        sort = common.effective_sort(query, plan)
        body: dict[str, Any] = {
            "query": _query(query, plan),
            "size": query.size + 1 if query.size else 0,
            "track_total_hits": True,
            "sort": _SORTS[sort],
            "_source": {"excludes": list(_INDEX_ONLY_FIELDS)},
        }
        if query.cursor:
            # Sort values as this backend made them: (score, id) or (published as epoch milliseconds, id).
            first = common.NUMBER if sort == Sort.RELEVANCE else common.INTEGER
            body["search_after"] = common.decode_cursor(query.cursor, (first, common.TEXT))
        if query.facets:
            body["aggs"] = {facet: {"terms": _terms(facet, query.facet_size)} for facet in query.facets}
        try:
            response = self._search(body)
        except self._flavour.bad_request as exc:
            if not query.cursor:
                raise
            raise common.InvalidCursor(f"cursor {query.cursor!r} does not belong to this search") from exc
        raw_hits = response["hits"]["hits"]
        more = len(raw_hits) > query.size
        raw_hits = raw_hits[: query.size]
        hits = [_hit(raw, query, plan) for raw in raw_hits]
        facets = {
            facet: [
                FacetCount(value=bucket["key"], count=bucket["doc_count"])
                for bucket in response["aggregations"][facet]["buckets"]
            ]
            for facet in query.facets
        }
        next_cursor = common.encode_cursor(raw_hits[-1]["sort"]) if more and raw_hits else None
        return SearchResult(total=response["hits"]["total"]["value"], hits=hits, facets=facets, next_cursor=next_cursor)

    def histogram(
        self, query: SearchQuery, interval: Interval, split_by: str | None = None, field: str = "published"
    ) -> list[HistogramBucket]:
        common.check_query(query)
        common.check_facet(split_by)
        common.check_histogram_field(field)
        split_aggs = {"split": {"terms": _terms(split_by, query.facet_size)}} if split_by else {}
        date_field = "published" if field == "published" else "event_dates.start"
        histogram: dict[str, Any] = {
            "date_histogram": {
                "field": date_field,
                "calendar_interval": _CALENDAR_INTERVAL[interval],
                "min_doc_count": 1,
                "format": "strict_date",
            }
        }
        if field == "published":
            histogram["aggs"] = split_aggs
            aggs = {"periods": histogram}
        else:
            # Count documents, not events: back from each event bucket to its document.
            histogram["aggs"] = {"docs": {"reverse_nested": {}, "aggs": split_aggs}}
            aggs = {"events": {"nested": {"path": "event_dates"}, "aggs": {"periods": histogram}}}
        plan = query_language.plan(query.q, self.vocabulary())
        response = self._search({"query": _query(query, plan), "size": 0, "aggs": aggs})
        root = response["aggregations"]
        periods = root["periods"] if field == "published" else root["events"]["periods"]
        buckets: list[HistogramBucket] = []
        for bucket in periods["buckets"]:
            label = common.period_label(date.fromisoformat(bucket["key_as_string"]), interval)
            counted = bucket if field == "published" else bucket["docs"]
            if split_by is None:
                buckets.append(HistogramBucket(period=label, count=counted["doc_count"]))
            else:
                buckets += [
                    HistogramBucket(period=label, split=split["key"], count=split["doc_count"])
                    for split in counted["split"]["buckets"]
                ]
        return buckets

    def suggest(self, facet: str, prefix: str, size: int = 10) -> list[FacetCount]:
        common.check_facet(facet)
        pattern = _lucene_literal(facet + _KEY_SEPARATOR + analysis.fold_key(prefix)) + ".*"
        terms = {**_terms("facet_keys", size), "include": pattern}
        response = self._search({"size": 0, "aggs": {"keys": {"terms": terms}}})
        return [
            FacetCount(value=bucket["key"].split(_KEY_SEPARATOR, 2)[2], count=bucket["doc_count"])
            for bucket in response["aggregations"]["keys"]["buckets"]
        ]

    def indexed_values(self) -> list[IndexedValue]:
        counts = {tuple(key.split(_KEY_SEPARATOR, 2)[::2]): count for key, count in self._all_keys("facet_keys")}
        names: dict[tuple[str, ...], list[str]] = {}
        for key, _ in self._all_keys("name_keys"):
            facet, value, name = key.split(_KEY_SEPARATOR, 2)
            names.setdefault((facet, value), []).append(name)
        return [
            IndexedValue(facet=facet, value=value, count=count, names=names.get((facet, value), []))
            for (facet, value), count in sorted(counts.items())
        ]

    def _all_keys(self, field: str) -> Iterator[tuple[str, int]]:
        """Every term of a keyword field with its document count, page by page (a composite aggregation)."""
        after: dict[str, Any] | None = None
        while True:
            composite: dict[str, Any] = {"size": 10_000, "sources": [{"key": {"terms": {"field": field}}}]}
            if after is not None:
                composite["after"] = after
            response = self._search({"size": 0, "aggs": {"keys": {"composite": composite}}})
            buckets = response["aggregations"]["keys"]["buckets"]
            for bucket in buckets:
                yield bucket["key"]["key"], bucket["doc_count"]
            after = response["aggregations"]["keys"].get("after_key")
            if not buckets or after is None:
                return

    def vocabulary(self) -> Vocabulary:
        now = time.monotonic()
        if self._vocabulary is None or now - self._vocabulary[0] > VOCABULARY_TTL_S:
            values = self.indexed_values()
            self._vocabulary = (now, values, Vocabulary(values))
        return self._vocabulary[2]

    def count(self) -> int:
        with self._reachable():
            self._ensure_alias()
            return int(self.client.count(index=self.alias)["count"])

    def ping(self) -> None:
        with self._reachable():
            self.client.cluster.health()

    def close(self) -> None:
        self.client.close()


_SORTS: dict[Sort, list[dict[str, Any]]] = {
    Sort.RELEVANCE: [{"_score": {"order": "desc"}}, {"id": {"order": "asc"}}],
    Sort.DATE_DESC: [{"published": {"order": "desc", "missing": "_last"}}, {"id": {"order": "asc"}}],
    Sort.DATE_ASC: [{"published": {"order": "asc", "missing": "_last"}}, {"id": {"order": "asc"}}],
}


def _terms(field: str, size: int) -> dict[str, Any]:
    return {"field": field, "size": size, "order": [{"_count": "desc"}, {"_key": "asc"}]}


def _index_action(index: str, doc: IndexDocument) -> dict[str, Any]:
    source = doc.model_dump(mode="json")
    source["event_dates"] = [
        dict(zip(("start", "end"), common.event_bounds(event), strict=True)) for event in doc.event_dates
    ]
    source["event_spans"] = [{"gte": event["start"], "lte": event["end"]} for event in source["event_dates"]]
    source["title_terms"] = analysis.index_terms(doc.title, doc.language)
    source["body_terms"] = analysis.index_terms(doc.body, doc.language)
    source["title_compounds"] = " ".join(analysis.compound_terms(doc.title, doc.language))
    source["body_compounds"] = " ".join(analysis.compound_terms(doc.body, doc.language))
    source["facet_keys"] = [
        _KEY_SEPARATOR.join((facet, analysis.fold_key(value), value))
        for facet, values in common.facet_values(doc).items()
        for value in values
    ]
    source["name_keys"] = [_KEY_SEPARATOR.join((name.facet, name.value, name.name)) for name in doc.names]
    return {"_op_type": "index", "_index": index, "_id": doc.id, "_source": source}


def _query(query: SearchQuery, plan: Plan) -> dict[str, Any]:
    """The query tree as bool, match and term queries (never query_string), facets and dates as filters."""
    must = [_clause(plan.tree)] if plan.tree is not None else []
    filters: list[dict[str, Any]] = [{"terms": {facet: values}} for facet, values in query.filters.items() if values]
    if query.published_from or query.published_to:
        filters.append(_range(Range("published", query.published_from, query.published_to)))
    if query.event_from or query.event_to:
        filters.append(_range(Range("event", query.event_from, query.event_to)))
    return {"bool": {"must": must, "filter": filters}}


def _clause(node: Node) -> dict[str, Any]:
    if isinstance(node, Term):
        return {
            "multi_match": {
                "query": " ".join(node.alternatives),
                "fields": _WORD_FIELDS[node.title],
                "type": "most_fields",
                "operator": "or",
            }
        }
    if isinstance(node, Phrase):
        phrases = [
            {"multi_match": {"query": " ".join(variant), "fields": _PHRASE_FIELDS[node.title], "type": "phrase"}}
            for variant in node.variants
        ]
        return {"bool": {"should": phrases, "minimum_should_match": 1}}
    if isinstance(node, Prefix):
        fields = [field.split("^")[0] for field in _WORD_FIELDS[node.title]]
        prefixes = [{"prefix": {field: {"value": node.prefix}}} for field in fields]
        return {"bool": {"should": prefixes, "minimum_should_match": 1}}
    if isinstance(node, Facet):
        return {"terms": {node.facet: list(node.values)}}
    if isinstance(node, Range):
        return _range(node)
    if isinstance(node, Everything):
        return {"match_all": {}}
    if isinstance(node, Not):
        return {"bool": {"must": [{"match_all": {}}], "must_not": [_clause(node.child)]}}
    if isinstance(node, Or):
        return {"bool": {"should": [_clause(child) for child in node.children], "minimum_should_match": 1}}
    positive = [_clause(child) for child in node.children if not isinstance(child, Not)]
    negative = [_clause(child.child) for child in node.children if isinstance(child, Not)]
    return {"bool": {"must": positive or [{"match_all": {}}], "must_not": negative}}


def _range(node: Range) -> dict[str, Any]:
    bounds: dict[str, str] = {}
    if node.start:
        bounds["gte"] = node.start.isoformat()
    if node.end:
        bounds["lte"] = node.end.isoformat()
    if node.field == "published":
        return {"range": {"published": bounds}}
    return {"range": {"event_spans": {**bounds, "relation": "intersects"}}}


def _hit(raw: dict[str, Any], query: SearchQuery, plan: Plan) -> SearchHit:
    doc = IndexDocument.model_validate(raw["_source"])
    return common.hit_from_document(doc, float(raw.get("_score") or 0.0), query, plan)


def _lucene_literal(text: str) -> str:
    """Escape every character Lucene's regexp syntax could read as an operator."""
    return "".join(ch if re.fullmatch(r"[A-Za-z0-9]", ch) else "\\" + ch for ch in text)
