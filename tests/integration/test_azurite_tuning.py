"""devhost/azurite_tuning.js: the key narrowing reads what Azurite alone would (the filter's own
partition when `PartitionKey eq` is a conjunct of the whole filter, the keys in range when key
ranges are, every entity otherwise), and its reading of filters is exact on the shapes it meets."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from adapters.storage.tables import Table

pytestmark = pytest.mark.integration
TUNING = Path(__file__).resolve().parents[2] / "devhost" / "azurite_tuning.js"


@pytest.fixture
def rows(table: Table) -> Table:
    """The table with two rows in each of three partitions."""
    partitions = ("o'brien|s1", "o'brien|s2", "other")
    table.upsert_many([{"PartitionKey": pk, "RowKey": f"r{i}", "n": i, "note": note}
                       for pk in partitions for i, note in enumerate(("x", " or "))])
    return table


def keys(table: Table, filter: str, **parameters: object) -> list[tuple[str, str]]:
    return [(r["PartitionKey"], r["RowKey"]) for r in table.query(filter, parameters=parameters)]


def test_a_partition_query_reads_that_partition_only(rows: Table) -> None:
    table = rows
    assert keys(table, "PartitionKey eq @pk", pk="o'brien|s1") == [("o'brien|s1", "r0"), ("o'brien|s1", "r1")]
    assert keys(table, "PartitionKey eq @pk and ( n eq 1 or note eq @x )", pk="other", x="x") == [
        ("other", "r0"), ("other", "r1")]


def test_a_filter_with_a_top_level_or_still_reads_every_partition(rows: Table) -> None:
    table = rows
    assert keys(table, "PartitionKey eq @a or PartitionKey eq @b", a="other", b="o'brien|s2") == [
        ("o'brien|s2", "r0"), ("o'brien|s2", "r1"), ("other", "r0"), ("other", "r1")]
    assert keys(table, "PartitionKey eq @a and n eq 0 or RowKey eq @r", a="other", r="r1") == [
        ("o'brien|s1", "r1"), ("o'brien|s2", "r1"), ("other", "r0"), ("other", "r1")]


def test_key_ranges_read_what_the_filter_keeps(table: Table) -> None:
    # keys that read as numbers too: Azurite compares them as strings ("10" < "9"), and so must this
    table.upsert_many([{"PartitionKey": pk, "RowKey": rk, "n": 1}
                       for pk in ("10", "9", "a|2025-09", "a|2025-10")
                       for rk in ("10", "9", "s1|2025-09-01", "s2|2025-09-01")])
    assert keys(table, "PartitionKey ge @lo and PartitionKey le @hi and RowKey ge @r and RowKey le @s",
                lo="a|2025-09", hi="a|2025-10", r="s1|", s="s1|~") == [
        ("a|2025-09", "s1|2025-09-01"), ("a|2025-10", "s1|2025-09-01")]
    assert keys(table, "PartitionKey eq @p and RowKey gt @r", p="10", r="10") == [
        ("10", "9"), ("10", "s1|2025-09-01"), ("10", "s2|2025-09-01")]
    assert keys(table, "PartitionKey lt @p and RowKey lt @r and n eq 1", p="9", r="9") == [("10", "10")]
    # a range of partitions through the index: keys between two bounds of one first letter
    assert keys(table, "PartitionKey gt @lo and PartitionKey lt @hi", lo="a|2025-09", hi="a|2025-10~") == [
        ("a|2025-10", rk) for rk in ("10", "9", "s1|2025-09-01", "s2|2025-09-01")]
    assert keys(table, "PartitionKey ge @lo and PartitionKey le @hi and RowKey eq @r", lo="1", hi="a|2025-09",
                r="9") == [("10", "9"), ("9", "9"), ("a|2025-09", "9")]
    # a RowKey range through its index, across partitions or within one
    assert keys(table, "RowKey ge @lo and RowKey lt @hi", lo="s1|", hi="s1|~") == [
        (pk, "s1|2025-09-01") for pk in ("10", "9", "a|2025-09", "a|2025-10")]
    assert keys(table, "PartitionKey eq @p and RowKey gt @lo and RowKey le @hi", p="9", lo="s1|2025-09-01",
                hi="s2|2025-09-01") == [("9", "s2|2025-09-01")]
    assert keys(table, "not PartitionKey eq @p and RowKey eq @r", p="10", r="9") == [
        ("9", "9"), ("a|2025-09", "9"), ("a|2025-10", "9")]


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node (Azurite's runtime)")
def test_the_key_conditions_it_reads() -> None:
    cases = {"PartitionKey ge 'a' and PartitionKey le 'b' and RowKey ge 'x''y'":
             [["PartitionKey", "ge", "a"], ["PartitionKey", "le", "b"], ["RowKey", "ge", "x'y"]],
             "PartitionKey eq 'a' and ( RowKey eq 'b' or RowKey eq 'c' )": [["PartitionKey", "eq", "a"]],
             "not RowKey eq 'b' and n eq 1": None, "RowKey lt 'b' or n eq 1": None,
             "RowKey eq 'a and b'": [["RowKey", "eq", "a and b"]], "RowKey eq 1": None}
    script = (f"const {{ keyConditions }} = require({json.dumps(str(TUNING))});"
              f"console.log(JSON.stringify({json.dumps(list(cases))}.map(f => "
              f"(keyConditions(f) || null) && keyConditions(f).map(c => [c.key, c.op, c.value]))))")
    out = subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True,
                         cwd=TUNING.parents[1])
    assert dict(zip(cases, json.loads(out.stdout), strict=True)) == cases


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node (Azurite's runtime)")
def test_the_filters_it_narrows_and_the_ones_it_leaves_alone() -> None:
    cases = {"PartitionKey eq 'a|b'": "a|b",
             "PartitionKey eq 'o''b' and RowKey ge 'x'": "o'b",
             "PartitionKey eq 'a' and ( date eq '1' or date eq '2' )": "a",
             "PartitionKey eq 'a' and note eq ' or '": "a",
             "PartitionKey eq 'a' or RowKey eq 'b'": None,
             "PartitionKey eq 'a' and RowKey eq 'b' or PartitionKey eq 'c'": None,
             "PartitionKey ge 'a'": None, "(PartitionKey eq 'a')": None, "PartitionKey eq 'a' andx": None,
             "not PartitionKey eq 'a'": None, "": None}
    script = (f"const {{ partitionOf }} = require({json.dumps(str(TUNING))});"
              f"console.log(JSON.stringify({json.dumps(list(cases))}.map(f => partitionOf(f) ?? null)))")
    out = subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True,
                         cwd=TUNING.parents[1])
    assert dict(zip(cases, json.loads(out.stdout), strict=True)) == cases
