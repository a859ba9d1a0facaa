"""Opaque list cursors: where the next page of a list starts, bound to the query that made it.

A cursor is URL-safe base64 of a small JSON object: ``q`` fingerprints the list and its filters
and sort, the other fields hold the position (the last row's sort value and key, or an offset
for the small lists). A cursor sent with other filters or another sort is refused, so that a
client never mixes the pages of two different lists.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from revintel.server import ApiError

#: Longest cursor accepted (a cursor this service makes is far shorter).
MAX_CURSOR_CHARS = 1000
#: Status of a refused cursor: 400, as for every request the OpenAPI document allows but the
#: server cannot answer (422 means the request breaks the document).
REFUSED = 400
#: Largest offset an offset cursor may hold (the small lists never come near it).
MAX_OFFSET = 10_000_000
_MALFORMED = "cursor: not a cursor of this list; pass next_cursor of the previous page unchanged"
_OTHER_QUERY = (
    "cursor: it was made for other filters or another sort; keep the parameters of the first "
    "page while paging, or start again without a cursor"
)


def fingerprint(binding: Mapping[str, object]) -> str:
    """A short digest of the list name, filters and sort that a cursor is bound to."""
    text = json.dumps(binding, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def encode_cursor(query: str, position: Mapping[str, Any]) -> str:
    """The cursor for ``position`` in the list whose :func:`fingerprint` is ``query``."""
    text = json.dumps({"q": query, **position}, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, query: str) -> dict[str, Any]:
    """The position a cursor holds; 400 when it is malformed or bound to another query."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw.decode())
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ApiError(REFUSED, _MALFORMED, field="cursor") from None
    if not isinstance(data, dict) or not isinstance(data.get("q"), str):
        raise ApiError(REFUSED, _MALFORMED, field="cursor")
    if data.pop("q") != query:
        raise ApiError(REFUSED, _OTHER_QUERY, field="cursor")
    return data


def offset_of(position: Mapping[str, Any]) -> int:
    """The offset an offset cursor holds (400 unless a non-negative integer)."""
    offset = position.get("o")
    if not isinstance(offset, int) or isinstance(offset, bool) or not 0 <= offset <= MAX_OFFSET:
        raise ApiError(REFUSED, _MALFORMED, field="cursor")
    return offset


def keyset_of(position: Mapping[str, Any]) -> tuple[str, object, str]:
    """(sort column, sort value, key) of the last row a keyset cursor holds (400 if malformed)."""
    sort, key = position.get("s"), position.get("k")
    if not isinstance(sort, str) or not isinstance(key, str):
        raise ApiError(REFUSED, _MALFORMED, field="cursor")
    return sort, load_value(position.get("v")), key


def dump_value(value: object) -> object:
    """A sort value as JSON; dates and timestamps are tagged so that they read back typed."""
    if isinstance(value, datetime):
        return {"ts": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return {"s": str(value)}


def load_value(data: object) -> object:
    """The sort value :func:`dump_value` wrote (400 for anything it cannot have written)."""
    try:
        if isinstance(data, dict) and len(data) == 1:
            [(tag, text)] = data.items()
            if tag == "ts":
                return datetime.fromisoformat(text)
            if tag == "d":
                return date.fromisoformat(text)
            if tag == "s" and isinstance(text, str):
                return text
    except (TypeError, ValueError):
        pass
    if isinstance(data, float) and not math.isfinite(data):
        raise ApiError(REFUSED, _MALFORMED, field="cursor")
    if data is None or isinstance(data, str | int | float | bool):
        return data
    raise ApiError(REFUSED, _MALFORMED, field="cursor")
