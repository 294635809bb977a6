"""How many morphology and entity query pairs find the same documents, on the embedded backend.

    python benchmarks/query_pairs.py

The pairs and their documents are tests/search_api/query_pairs.py, indexed with 300 synthetic
documents (benchmarks/synthetic_docs.py, seed 11). A pair agrees when both queries find the same,
non-empty set of documents. Prints one JSON object with the count and every pair's hits; it uses only
the SearchBackend contract, so it runs on older kume code too (put that code first on PYTHONPATH).
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.append(str(REPO))

from benchmarks.synthetic_docs import synthetic_documents  # noqa: E402
from search_api.backends.embedded import EmbeddedBackend  # noqa: E402
from search_api.contract import SearchQuery  # noqa: E402
from tests.search_api.query_pairs import ENTITY_PAIRS, MORPHOLOGY_PAIRS, pair_documents  # noqa: E402


def hits(backend: EmbeddedBackend, q: str) -> set[str] | str:
    """Ids of every match, or the error the query raised."""
    found: set[str] = set()
    query = SearchQuery(q=q, size=100, highlight=False)
    try:
        while True:
            page = backend.search(query)
            found.update(hit.id for hit in page.hits)
            if page.next_cursor is None:
                return found
            query = query.model_copy(update={"cursor": page.next_cursor})
    except ValueError as exc:
        return f"{type(exc).__name__}: {exc}"


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="kume-pairs-") as tmp:
        backend = EmbeddedBackend(Path(tmp) / "index.sqlite3")
        try:
            backend.rebuild(pair_documents() + list(synthetic_documents(300, seed=11)))
            report: dict[str, object] = {}
            for name, pairs in (("morphology", MORPHOLOGY_PAIRS), ("entities", ENTITY_PAIRS)):
                rows = []
                for one, other in pairs:
                    left, right = hits(backend, one), hits(backend, other)
                    agree = isinstance(left, set) and bool(left) and left == right
                    counts = [len(found) if isinstance(found, set) else found for found in (left, right)]
                    rows.append({"pair": [one, other], "hits": counts, "agree": agree})
                report[name] = {"pairs": len(pairs), "agree": sum(row["agree"] for row in rows), "each": rows}
        finally:
            backend.close()
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
