"""Times of an export, read in its source's zone, as wall-clock times of the store's zone.

A value with a time of day is an instant: one carrying its own offset (``Z``, ``+01:00``) is
read by that offset, any other one in the source's zone. Values without a time of day are
calendar days and stay as they are.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.compute as pc

from revintel.ingest._reading import IngestError
from revintel.store import UnknownTimezoneError, local_instant, parse_timezone, wall_clock

_TIME_OF_DAY = r"\d:\d\d"
#: A time of day followed by a UTC marker or a numeric offset, at the end of the value.
_OFFSET = (
    r"\d:\d\d(?::\d\d(?:[.,]\d+)?)? ?"
    r"(?:(?P<utc>Z|UTC)|(?P<sign>[+-])(?P<hh>\d\d):?(?P<mm>\d\d))$"
)
_UNIT = pa.timestamp("us")
_UTC_KEYS = frozenset({"UTC", "Etc/UTC", "Etc/UCT", "Etc/Zulu", "Zulu", "UCT", "Etc/GMT", "GMT"})


def explicit_offsets(text: pa.Array) -> pa.Array | None:
    """Per value, the UTC offset it states (a duration; null where none); ``None`` if none does."""
    if not pc.any(pc.fill_null(pc.match_substring_regex(text, _OFFSET), False)).as_py():
        return None
    parts = pc.extract_regex(text, _OFFSET)
    hours = pc.cast(_digits(parts, "hh"), pa.int64())
    minutes = pc.cast(_digits(parts, "mm"), pa.int64())
    micros = pc.multiply(pc.add(pc.multiply(hours, 60), minutes), 60_000_000)
    negative = pc.equal(pc.fill_null(pc.struct_field(parts, "sign"), ""), "-")
    micros = pc.if_else(negative, pc.negate(micros), micros)
    return pc.if_else(pc.is_valid(parts), micros, pa.scalar(None, pa.int64())).cast(
        pa.duration("us")
    )


def _digits(parts: pa.StructArray, name: str) -> pa.Array:
    # ``Z`` and ``UTC`` leave the offset groups empty: an offset of zero.
    values = pc.fill_null(pc.struct_field(parts, name), "00")
    return pc.if_else(pc.equal(values, ""), "00", values)


def _is_utc(zone: ZoneInfo) -> bool:
    return zone.key in _UTC_KEYS


def source_to_utc(values: pa.Array, zone: ZoneInfo) -> pa.Array:
    """Naive UTC times of naive wall-clock ``values`` of ``zone``.

    In the hour repeated when daylight saving time ends the first occurrence is taken; a time in
    the hour skipped when it begins is read with the offset before the change (both as Python's
    ``fold=0``), so 02:30 on a spring-forward night in Berlin is 01:30 UTC.
    """
    if _is_utc(zone):
        return values
    aware = pc.assume_timezone(values, zone.key, ambiguous="earliest", nonexistent="latest")
    utc = aware.view(_UNIT)
    skipped = pc.fill_null(pc.not_equal(pc.local_timestamp(aware), values), False)
    if not pc.any(skipped).as_py():
        return utc
    # Rare (no clock writes them): converted one by one as Python reads them.
    fixed = [
        None if v is None else wall_clock(local_instant(v, zone), ZoneInfo("UTC"))
        for v in pc.filter(values, skipped).to_pylist()
    ]
    return pc.replace_with_mask(utc, skipped, pa.array(fixed, _UNIT))


def utc_to_zone(values: pa.Array, zone: ZoneInfo) -> pa.Array:
    """Naive wall-clock times in ``zone`` of naive UTC ``values``."""
    if _is_utc(zone):
        return values
    return pc.local_timestamp(values.view(pa.timestamp("us", zone.key)))


def to_store_time(values: pa.Array, text: pa.Array, source: ZoneInfo, store: ZoneInfo) -> pa.Array:
    """Parsed ``values`` (wall-clock times as written in ``text``) as wall-clock times of the
    store's zone: an instant in ``source`` (or at its own offset) → the store's local time.

    Values whose text has no time of day are days and are returned unchanged.
    """
    if len(values) == 0 or values.null_count == len(values):
        return values
    values = values.cast(_UNIT)
    offsets = explicit_offsets(text)
    if offsets is None and source.key == store.key:
        return values
    utc = source_to_utc(values, source)
    if offsets is not None:
        stated = pc.subtract(values, offsets)
        utc = pc.if_else(pc.is_valid(offsets), stated, utc)
    local = utc_to_zone(utc, store)
    timed = pc.fill_null(pc.match_substring_regex(text, _TIME_OF_DAY), False)
    return pc.if_else(timed, local, values)


def source_zone(name: str | None, store_zone: ZoneInfo) -> ZoneInfo:
    """The zone an export's times are in: ``name`` if given, else the store's zone."""
    if not name:
        return store_zone
    try:
        return parse_timezone(name)
    except UnknownTimezoneError as exc:
        raise IngestError(str(exc)) from None
