"""The floors of the house: which of kume's packages may import which (README, Architecture).

Read from the source with ast, every import counted, also those inside functions and under
TYPE_CHECKING, so a shortcut through a lazy import fails here too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("kume", "crawler", "nlp", "search_api", "pipeline", "models", "api", "kume_cli", "demo_site")
# Each package with the packages it stands on (besides itself).
ALLOWED = {
    "kume": set(),
    "demo_site": set(),
    "crawler": {"kume"},
    "nlp": {"kume"},
    "search_api": {"kume"},
    "pipeline": {"kume", "crawler", "nlp", "search_api"},
    "models": {"kume", "nlp"},
    "api": {"kume", "pipeline", "search_api", "crawler", "nlp"},
    "kume_cli": {"kume", "crawler", "nlp", "search_api", "pipeline", "api", "models", "demo_site"},
}


def imported_packages(package: str) -> dict[str, set[str]]:
    """kume packages imported by `package`, each with the files that import it."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if top in PACKAGES and top != package:
                    found.setdefault(top, set()).add(str(path.relative_to(ROOT)))
    return found


@pytest.mark.parametrize("package", PACKAGES)
def test_a_package_imports_only_the_floors_below_it(package: str) -> None:
    unexpected = {name: files for name, files in imported_packages(package).items() if name not in ALLOWED[package]}
    assert not unexpected, f"{package} imports {unexpected}"


@pytest.mark.parametrize("stage", ["crawler", "nlp"])
def test_api_names_the_stages_for_types_only(stage: str) -> None:
    """The API crawls and extracts through pipeline; it names the stages' types only in annotations."""
    for name in imported_packages("api").get(stage, set()):
        tree = ast.parse((ROOT / name).read_text(encoding="utf-8"))
        runtime = [
            node
            for node in tree.body
            if isinstance(node, (ast.Import, ast.ImportFrom)) and stage in ast.unparse(node).split()[1]
        ]
        assert not runtime, f"{name} imports {stage} at run time"
