"""The SHA-256 recorded with every stored file: lowercase hex of its bytes (domain, services and
adapters compute it here, so a row's hash and the blob metadata's always agree)."""

from __future__ import annotations

import hashlib


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
