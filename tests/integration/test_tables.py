"""adapters/storage/tables.py and adapters/storage/keys.py against Azurite: batching, ETags, paging, keys,
values."""

from __future__ import annotations

import base64
import math
import random

import pytest

from adapters.storage.keys import escape_key_part, key, prefix_range, split_key, unescape_key_part
from adapters.storage.tables import BATCH_LIMIT, InvalidToken, Table
from domain.platform.errors import AlreadyExists, ConcurrencyError, NotFound

pytestmark = pytest.mark.integration


def rows(partition: str, count: int) -> list[dict[str, object]]:
    return [{"PartitionKey": partition, "RowKey": f"{i:05d}", "n": i} for i in range(count)]


def stored_count(table: Table, partition: str) -> int:
    return sum(1 for _ in table.partition(partition, select=["RowKey"]))


# --- batching ----------------------------------------------------------------------------------

@pytest.mark.parametrize("sizes", [(100,), (101,), (150, 100), (201, 49), (125, 125)])
def test_upsert_many_takes_one_transaction_per_hundred_rows_of_each_partition(
        table: Table, sizes: tuple[int, ...]) -> None:
    entities = [row for i, size in enumerate(sizes) for row in rows(f"p{i}", size)]
    expected = sum(math.ceil(size / BATCH_LIMIT) for size in sizes)

    trips = table.upsert_many(entities)

    assert trips == expected
    assert table.counter.by_kind["transaction"] == expected
    assert [stored_count(table, f"p{i}") for i in range(len(sizes))] == list(sizes)


def test_a_shuffled_batch_over_a_hundred_rows_is_split_by_partition(table: Table) -> None:
    entities = rows("amber", 90) + rows("birch", 60) + rows("cedar", 30)
    random.Random(7).shuffle(entities)

    trips = table.upsert_many(entities)

    # one transaction may only hold one partition: 90 -> 1, 60 -> 1, 30 -> 1
    assert trips == 3
    assert {p: stored_count(table, p) for p in ("amber", "birch", "cedar")} == {
        "amber": 90, "birch": 60, "cedar": 30}


def test_upsert_many_is_idempotent_on_rerun(table: Table) -> None:
    table.upsert_many(rows("amber", 120))

    table.upsert_many(rows("amber", 120))

    assert stored_count(table, "amber") == 120


# --- single-row writes -------------------------------------------------------------------------

def test_etag_conditional_update_wins_once_and_the_stale_writer_loses(table: Table) -> None:
    table.insert({"PartitionKey": "case", "RowKey": "42", "stage": "LETTER_1"})
    first_reader = table.get("case", "42")
    second_reader = table.get("case", "42")
    assert first_reader.etag
    assert first_reader.etag == second_reader.etag

    table.update({**first_reader, "stage": "LETTER_2"}, etag=first_reader.etag)
    with pytest.raises(ConcurrencyError):
        table.update({**second_reader, "stage": "MEETING"}, etag=str(second_reader.etag))

    assert table.get("case", "42")["stage"] == "LETTER_2"


def test_update_with_the_fresh_etag_succeeds_after_a_lost_race(table: Table) -> None:
    etag = table.insert({"PartitionKey": "case", "RowKey": "42", "stage": "LETTER_1"})
    table.update({"PartitionKey": "case", "RowKey": "42", "stage": "LETTER_2"}, etag=etag)

    fresh = table.get("case", "42")
    new_etag = table.update({**fresh, "stage": "MEETING"}, etag=str(fresh.etag))

    assert table.get("case", "42").etag == new_etag


def test_insert_twice_raises_already_exists(table: Table) -> None:
    table.insert({"PartitionKey": "p", "RowKey": "r", "v": 1})

    with pytest.raises(AlreadyExists):
        table.insert({"PartitionKey": "p", "RowKey": "r", "v": 2})

    assert table.get("p", "r")["v"] == 1


def test_get_missing_raises_not_found_and_find_returns_none(table: Table) -> None:
    with pytest.raises(NotFound):
        table.get("nobody", "nothing")
    assert table.find("nobody", "nothing") is None


def test_update_of_a_missing_row_raises_not_found(table: Table) -> None:
    etag = table.insert({"PartitionKey": "p", "RowKey": "r"})
    table.delete("p", "r")

    with pytest.raises(NotFound):
        table.update({"PartitionKey": "p", "RowKey": "r"}, etag=etag)


def test_delete_is_idempotent(table: Table) -> None:
    table.insert({"PartitionKey": "p", "RowKey": "r"})

    table.delete("p", "r")
    table.delete("p", "r")

    assert table.find("p", "r") is None


# --- paging ------------------------------------------------------------------------------------

def test_pages_of_a_partition_cover_every_row_once_and_the_last_has_no_continuation(
        table: Table) -> None:
    table.upsert_many(rows("amber", 25) + rows("birch", 5))
    query = "PartitionKey eq @pk"

    pages = []
    token = None
    for _ in range(3):
        page = table.query_page(query, parameters={"pk": "amber"}, page_size=10, continuation=token)
        pages.append(page)
        token = page.continuation

    assert [len(p.items) for p in pages] == [10, 10, 5]
    assert all(isinstance(p.continuation, str) for p in pages[:2])
    assert pages[-1].continuation is None
    seen = [row["RowKey"] for p in pages for row in p.items]
    assert len(seen) == len(set(seen))
    assert set(seen) == {f"{i:05d}" for i in range(25)}


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


@pytest.mark.parametrize("tamper", [
    pytest.param(lambda t: t[:-3], id="truncated"),
    pytest.param(lambda t: "!!" + t, id="garbage-prefix"),
    pytest.param(lambda t: _b64(b"not json at all"), id="not-json"),
    pytest.param(lambda t: _b64(b"\xff\xfe\xfd"), id="not-utf8"),
    pytest.param(lambda t: _b64(b"[1, 2, 3]"), id="json-list"),
    pytest.param(lambda t: _b64(b'"amber"'), id="json-string"),
    pytest.param(lambda t: _b64(b'{"PartitionKey": 5, "RowKey": []}'), id="wrong-types"),
    pytest.param(lambda t: _b64(b'{"Partition": "amber", "Row": "00003"}'), id="wrong-fields"),
])
def test_a_tampered_continuation_token_is_refused_naming_the_parameter(table: Table, tamper) -> None:  # type: ignore[no-untyped-def]
    table.upsert_many(rows("amber", 12))
    page = table.query_page("PartitionKey eq @pk", parameters={"pk": "amber"}, page_size=5)
    assert page.continuation

    with pytest.raises(InvalidToken) as raised:
        table.query_page("PartitionKey eq @pk", parameters={"pk": "amber"}, page_size=5,
                         continuation=tamper(page.continuation))
    assert (raised.value.status, raised.value.field) == (422, "continuationToken")


# --- keys --------------------------------------------------------------------------------------

NASTY = ["", "a/b", "..", "../..", "a\\b", "#1", "?q=1", "%", "%25", "%zz", "|", "a|b", "||",
         "\x00", "\t", "\x1f", "\x7f", "\x85", "\x9f", "\u00a0", "é", "Zoë O'Brien", "''",
         "中文", "😀", " lead", "trail ", "+&=;,", "~!$*()", "ß/ẞ#?\\|%"]
ALPHABET = list("aZ09 -_.'+&=~") + ["/", "\\", "#", "?", "%", "|", "\x00", "\x01", "\n", "\x1f",
                                    "\x7f", "\x80", "\x9f", "é", "ø", "ß", "中", "ー", "😀", "\u200b"]
FORBIDDEN = {"/", "\\", "#", "?"} | {chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)]}


def random_strings(count: int, seed: int = 20240901) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 24))) for _ in range(count)]


def test_escaped_key_parts_hold_no_forbidden_characters_and_unescape_exactly() -> None:
    for value in NASTY + random_strings(2000):
        escaped = escape_key_part(value)

        assert not FORBIDDEN & set(escaped), repr(value)
        assert "|" not in escaped
        assert unescape_key_part(escaped) == value


def test_composite_keys_never_run_their_parts_together() -> None:
    values = NASTY + random_strings(300)
    composites = {key(a, b): (a, b) for a in values[:60] for b in values[:60]}

    assert len(composites) == 60 * 60
    for composite, parts in composites.items():
        assert tuple(split_key(composite)) == parts


def test_keys_with_special_characters_round_trip_through_storage(table: Table) -> None:
    values = list(dict.fromkeys(NASTY + random_strings(300)))
    entities = [{"PartitionKey": key("tenant", "school 1"), "RowKey": key("pupil", v), "original": v}
                for v in values]

    table.upsert_many(entities)

    for value in values:
        row = table.get(key("tenant", "school 1"), key("pupil", value))
        assert row["original"] == value
        assert split_key(row["RowKey"]) == ["pupil", value]
    listed = {split_key(r["RowKey"])[1] for r in table.partition(key("tenant", "school 1"))}
    assert listed == set(values)


def test_special_characters_round_trip_as_partition_keys(table: Table) -> None:
    for value in NASTY:
        table.insert({"PartitionKey": escape_key_part(value), "RowKey": "r", "original": value})

    for value in NASTY:
        stored = list(table.partition(escape_key_part(value)))
        assert [row["original"] for row in stored] == [value]


def test_prefix_range_selects_one_first_part_only(table: Table) -> None:
    pupils = ("1", "~", "é", "中", "\uffee", "😀")
    table.upsert_many([{"PartitionKey": "p", "RowKey": key(school, pupil)}
                       for school in ("a", "a|b", "ab", "b", "a~") for pupil in pupils])
    low, high = prefix_range(key("a") + "|")

    found = table.query("PartitionKey eq 'p' and RowKey ge @low and RowKey lt @high",
                        parameters={"low": low, "high": high})

    assert sorted(r["RowKey"] for r in found) == sorted(key("a", pupil) for pupil in pupils)


# --- values ------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [0, 5, -1, 2**31 - 1, -(2**31), 2**31, -(2**31) - 1,
                                   2**53 + 1, 2**63 - 1, -(2**63)])
def test_integers_round_trip_including_int64(table: Table, value: int) -> None:
    table.upsert({"PartitionKey": "p", "RowKey": "r", "count": value})

    stored = table.get("p", "r")["count"]

    assert stored == value
    assert type(stored) is int


def test_booleans_stay_booleans(table: Table) -> None:
    table.upsert({"PartitionKey": "p", "RowKey": "r", "flag": True, "off": False})

    row = table.get("p", "r")

    assert row["flag"] is True
    assert row["off"] is False


def test_none_values_are_dropped(table: Table) -> None:
    table.insert({"PartitionKey": "p", "RowKey": "r", "kept": "x", "gone": None})
    table.upsert_many([{"PartitionKey": "p", "RowKey": "s", "kept": "y", "gone": None}])

    assert "gone" not in table.get("p", "r")
    assert "gone" not in table.get("p", "s")


def test_a_replace_with_none_removes_the_property_but_a_merge_keeps_it(table: Table) -> None:
    table.upsert({"PartitionKey": "p", "RowKey": "r", "error": "boom"})
    table.upsert({"PartitionKey": "p", "RowKey": "s", "error": "boom"})

    table.upsert({"PartitionKey": "p", "RowKey": "r", "error": None})
    table.upsert({"PartitionKey": "p", "RowKey": "s", "error": None}, merge=True)

    # Table Storage has no null: merge can not clear a property, only a replace can
    assert "error" not in table.get("p", "r")
    assert table.get("p", "s")["error"] == "boom"
