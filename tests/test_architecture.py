"""The dependency rules of ARCHITECTURE.md, checked by walking imports with ast."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = ROOT / "mediation" / "domain"
FORBIDDEN_IN_DOMAIN = ("flask", "flask_", "sqlalchemy", "mediation.extensions", "mediation.models",
                       "mediation.services", "mediation.web", "werkzeug")
FORBIDDEN_CALLS = ("datetime.now", "date.today", "datetime.utcnow", "time.time")


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the package
                package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-node.level])
                names.append(f"{package}.{node.module}" if node.module else package)
            else:
                names.append(node.module or "")
    return names


DOMAIN_FILES = sorted(DOMAIN.glob("*.py"))


@pytest.mark.parametrize("path", DOMAIN_FILES, ids=[p.name for p in DOMAIN_FILES])
def test_domain_is_pure(path):
    bad = [n for n in _imports(path) if n.startswith(FORBIDDEN_IN_DOMAIN)]
    assert bad == [], f"{path.name} imports {bad}"


@pytest.mark.parametrize("path", DOMAIN_FILES, ids=[p.name for p in DOMAIN_FILES])
def test_domain_does_not_read_the_clock(path):
    source = path.read_text(encoding="utf-8")
    assert not [c for c in FORBIDDEN_CALLS if f"{c}(" in source]


SERVICE_FILES = sorted((ROOT / "mediation" / "services").glob("*.py"))


@pytest.mark.parametrize("path", SERVICE_FILES, ids=[p.name for p in SERVICE_FILES])
def test_services_do_not_read_the_request_or_commit(path):
    source = path.read_text(encoding="utf-8")
    imports = _imports(path)
    assert not [n for n in imports if n.startswith(("mediation.web", "flask_login"))]
    assert "current_user" not in source and "request." not in source
    assert ".commit()" not in source, "services flush; the request commits once"


def test_models_do_not_import_services_or_web():
    for path in (ROOT / "mediation" / "models").glob("*.py"):
        bad = [n for n in _imports(path) if n.startswith(("mediation.services", "mediation.web"))]
        assert bad == [], f"{path.name} imports {bad}"
