"""The domain stays pure: no Azure SDK, no environment, no wall clock."""

from __future__ import annotations

import ast
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[2] / "domain"
FORBIDDEN_MODULES = ("azure", "os", "adapters", "functions", "bootstrap", "settings", "services")
CLOCK_CALLS = {("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"),
               ("date", "today"), ("time", "time"), ("time", "monotonic")}


def _violations(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            names = []
        for name in names:
            if name.split(".")[0] in FORBIDDEN_MODULES:
                found.append(f"{path.name}:{node.lineno} imports {name}")
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if (node.value.id, node.attr) in CLOCK_CALLS:
                found.append(f"{path.name}:{node.lineno} reads the clock ({node.value.id}.{node.attr})")
            if node.value.id == "os" and node.attr in ("environ", "getenv"):
                found.append(f"{path.name}:{node.lineno} reads the environment")
    return found


def test_domain_imports_nothing_from_azure_and_reads_no_clock_or_environment():
    files = sorted(DOMAIN.rglob("*.py"))
    assert files, "the domain package is empty?"
    problems = [v for f in files for v in _violations(f)]
    assert problems == []


def test_the_checker_catches_a_violation(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import os\nfrom azure.data.tables import TableClient\n"
                   "from datetime import datetime\nx = datetime.now()\ny = os.environ\n")
    assert len(_violations(bad)) == 4


def test_only_settings_reads_the_environment():
    root = DOMAIN.parent
    offenders = []
    for path in root.glob("*/**/*.py"):
        if any(part in {".venv", ".venv-checkov", "node_modules", "tests"} for part in path.parts):
            continue
        text = path.read_text()
        if "os.environ" in text or "os.getenv" in text or "getenv(" in text:
            offenders.append(str(path.relative_to(root)))
    assert offenders == []
