"""Checkov over infra/ (offline), from its own virtualenv: Checkov pins pycep-parser 0.5.1,
which would downgrade the 0.7.1 that tests/infra/test_bicep.py uses."""

from __future__ import annotations

import json
import re
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHECKOV = ROOT / ".venv-checkov" / "bin" / "checkov"

# A silent zero-result scan (e.g. resources hidden in registry modules) must fail.
MUST_BE_EVALUATED = {
    "Microsoft.Storage/storageAccounts",
    "Microsoft.Storage/storageAccounts/blobServices/containers",
    "Microsoft.Web/sites",
    "Microsoft.Web/serverfarms",
}


@cache
def scan() -> dict[str, Any]:
    if not CHECKOV.exists():
        pytest.fail(f"{CHECKOV.relative_to(ROOT)} is missing: run `make checkov-venv`", pytrace=False)
    completed = subprocess.run(
        [str(CHECKOV), "--directory", "infra", "--framework", "bicep", "--skip-download", "--compact",
         "--output", "json"],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
    )
    assert completed.returncode in (0, 1), completed.stderr[-4000:]
    report = json.loads(completed.stdout)
    # One framework gives one report object; an empty scan gives a bare summary.
    assert isinstance(report, dict), f"expected one bicep report, got {report!r}"
    assert "results" in report, f"Checkov found nothing to scan: {report!r}"
    return report


def checks(kind: str) -> list[dict[str, Any]]:
    return scan()["results"][kind]


def test_checkov_parses_every_bicep_file() -> None:
    assert scan()["summary"]["parsing_errors"] == 0
    assert scan()["results"]["parsing_errors"] == []


def test_checkov_reports_no_failed_check() -> None:
    failed = [f"{c['check_id']} {c['resource']} ({c['file_path']}): {c['check_name']}"
              for c in checks("failed_checks")]

    assert failed == []


def test_checkov_evaluated_the_storage_account_function_app_and_plan() -> None:
    kinds = ("passed_checks", "failed_checks", "skipped_checks")
    evaluated = {c["resource"].rsplit(".", 1)[0] for kind in kinds for c in checks(kind)}

    assert MUST_BE_EVALUATED <= evaluated
    assert len(checks("passed_checks")) >= 15


def test_every_skip_has_a_reason_and_is_documented() -> None:
    documented = set(re.findall(r"CKV2?_AZURE_\d+", (ROOT / "docs" / "infra.md").read_text()))

    for check in checks("skipped_checks"):
        reason = check["check_result"].get("suppress_comment", "")
        assert len(reason.split()) >= 8, f"{check['check_id']} on {check['resource']}: reason too thin"
        assert check["check_id"] in documented, f"{check['check_id']} is skipped but not in docs/infra.md"
