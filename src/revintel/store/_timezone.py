"""The store's time zone: the IANA zone whose wall-clock times every stored timestamp holds.

Timestamp columns are naive; a value means the wall-clock time in the store's zone, so that
days, months and quarters computed in SQL are the store zone's periods. The zone is kept in the
store's key/value metadata table (key ``timezone``); a store without one uses
:data:`DEFAULT_TIMEZONE`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from revintel.store._migrations import read_meta, write_meta
from revintel.store._store import Store, StoreError

#: The zone of a store that names none.
DEFAULT_TIMEZONE = "Europe/Berlin"
_KEY = "timezone"


class UnknownTimezoneError(StoreError, ValueError):
    """A name that is no IANA time zone."""


def parse_timezone(name: str) -> ZoneInfo:
    """The IANA zone ``name`` (``Europe/Berlin``, ``UTC`` …); :class:`UnknownTimezoneError`
    naming it otherwise.

    Examples
    --------
    >>> parse_timezone("Europe/Berlin").key
    'Europe/Berlin'
    """
    cleaned = name.strip()
    try:
        if not cleaned or cleaned.startswith(("/", ".")) or ".." in cleaned:
            raise ValueError(cleaned)
        return ZoneInfo(cleaned)
    except (ZoneInfoNotFoundError, ValueError):
        hint = "e.g. Europe/Berlin, UTC or America/New_York"
        if "/" not in cleaned:
            close = sorted(z for z in available_timezones() if z.casefold() == cleaned.casefold())
            hint = f"did you mean {close[0]}?" if close else hint
        raise UnknownTimezoneError(f"unknown time zone {name!r} ({hint})") from None


def store_timezone(store: Store) -> ZoneInfo:
    """The store's time zone (read once per connection; :data:`DEFAULT_TIMEZONE` if unset)."""
    if store.timezone_cache is None:
        store.timezone_cache = parse_timezone(read_meta(store.backend, _KEY) or DEFAULT_TIMEZONE)
    return store.timezone_cache


def holds_data(store: Store) -> bool:
    """Whether any model table has a row (then changing the zone would reinterpret them)."""
    return any(n > 0 for n in store.row_counts().values())


def set_store_timezone(store: Store, name: str, *, force: bool = False) -> ZoneInfo:
    """Make ``name`` the store's time zone.

    Stored timestamps are not converted: they are wall-clock times and would afterwards be read
    as times of the new zone. So a store holding data refuses a different zone unless ``force``.

    Raises
    ------
    UnknownTimezoneError
        ``name`` is no IANA zone.
    StoreError
        The store holds data, the zone differs and ``force`` is false.
    """
    zone = parse_timezone(name)
    current = store_timezone(store)
    if zone.key == current.key:
        return zone
    if not force and holds_data(store):
        raise StoreError(
            f"the store already holds data with times in {current.key}; changing the zone to "
            f"{zone.key} would shift every stored time: use --force to change it anyway "
            "(stored times are not converted), or import into a new store"
        )
    with store.transaction():
        write_meta(store.backend, _KEY, zone.key)
    store.timezone_cache = zone
    return zone


def wall_clock(instant: datetime, zone: ZoneInfo) -> datetime:
    """The naive wall-clock time of ``instant`` in ``zone``; a naive ``instant`` counts as UTC."""
    aware = instant if instant.tzinfo is not None else instant.replace(tzinfo=UTC)
    return aware.astimezone(zone).replace(tzinfo=None)


def store_now(store: Store) -> datetime:
    """The current time as the store keeps times: the naive wall clock of its zone."""
    return wall_clock(datetime.now(UTC), store_timezone(store))


def local_instant(value: datetime, zone: ZoneInfo) -> datetime:
    """A stored wall-clock time as an aware time of ``zone``.

    In the hour repeated when daylight saving time ends the earlier offset is taken (``fold=0``);
    aware values are converted to ``zone``.
    """
    if value.tzinfo is not None:
        return value.astimezone(zone)
    return value.replace(tzinfo=zone, fold=0)


__all__ = [
    "DEFAULT_TIMEZONE",
    "UnknownTimezoneError",
    "holds_data",
    "local_instant",
    "parse_timezone",
    "set_store_timezone",
    "store_now",
    "store_timezone",
    "wall_clock",
]
