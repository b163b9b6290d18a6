"""Table keys: escape what PartitionKey/RowKey may not contain, join parts with '|'."""

from __future__ import annotations

_SPECIAL = {"%", "|", "/", "\\", "#", "?"}


def escape_key_part(value: str) -> str:
    """Percent-encode the characters keys forbid (/ \\ # ? and control characters), plus
    '%' and our '|' separator, so any string round-trips and parts never run together."""
    out = []
    for ch in value:
        code = ord(ch)
        if ch in _SPECIAL or code < 0x20 or 0x7F <= code <= 0x9F:
            out.append("".join(f"%{b:02X}" for b in ch.encode("utf-8")))
        else:
            out.append(ch)
    return "".join(out)


def unescape_key_part(value: str) -> str:
    from urllib.parse import unquote

    return unquote(value)


def key(*parts: str) -> str:
    """A composite key: escaped parts joined by '|' (so prefix scans on a part work)."""
    return "|".join(escape_key_part(str(p)) for p in parts)


def split_key(value: str) -> list[str]:
    return [unescape_key_part(p) for p in value.split("|")]


def prefix_range(prefix: str) -> tuple[str, str]:
    """(lower, upper) bounds selecting every key that starts with `prefix`."""
    return prefix, prefix + "\uffff"
