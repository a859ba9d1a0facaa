"""Typing text columns, vectorised: numbers, dates and booleans decided per column from the values.

A column's format (decimal comma or point; ISO, German ``dd.mm.yyyy`` or slashed dates) is decided
once from all its values; values that do not fit become rejections, never silent nulls.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from revintel.ingest._reading import IngestError

_NUMBER = r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"
# Unambiguous plain numbers: no thousands groups, at most one decimal point, not exactly three
# decimals (``1.234`` could be a German thousand).
_PLAIN = r"^-?\d+(\.(\d{1,2}|\d{4,}))?$"
_NOISE = "[\\s\u00a0\u202f'€$£]|EUR|USD|CHF|GBP"
# Unambiguous evidence for a decimal comma (German) or a decimal point (English).
_COMMA_DECIMAL = r"(^[+-]?\d{1,3}(\.\d{3})+,\d*$)|(,\d{1,2}$)|(,\d{4,}$)|(^[+-]?0,\d+$)"
_POINT_DECIMAL = r"(^[+-]?\d{1,3}(,\d{3})+\.\d*$)|(\.\d{1,2}$)|(\.\d{4,}$)|(^[+-]?0\.\d+$)"

_TIME = (
    r"(?:[T ,]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,]\d+)?)?(?: ?(?P<P>[AaPp][Mm]))?)?"
)
_ZONE = r"(?: ?(?:Z|UTC|[+-]\d{2}:?\d{2}))?"
DATE_PATTERNS: dict[str, str] = {
    "iso": r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})" + _TIME + _ZONE + "$",
    "dotted": r"^(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4}|\d{2})" + _TIME + "$",
    "slashed": r"^(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<y>\d{4}|\d{2})" + _TIME + "$",
}
#: Human names of the formats, used in messages and accepted as ``--date-format`` values.
DATE_FORMATS: dict[str, str] = {
    "yyyy-mm-dd": "iso",
    "dd.mm.yyyy": "dotted",
    "dd/mm/yyyy": "day-first",
    "mm/dd/yyyy": "month-first",
}
_FORMAT_LABEL = {"iso": "yyyy-mm-dd", "dotted": "dd.mm.yyyy"}
_STRFTIME = {
    "%Y-%m-%d": "yyyy-mm-dd",
    "%d.%m.%Y": "dd.mm.yyyy",
    "%d/%m/%Y": "dd/mm/yyyy",
    "%m/%d/%Y": "mm/dd/yyyy",
}
_FAMILY_SAMPLE = 5000
#: ISO layouts Arrow parses directly, tried before the general (slower) pattern path.
_ISO_LAYOUTS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%Y-%m-%dT%H:%M:%S")
_TRUE = ("true", "yes", "ja", "y", "j", "1", "x", "wahr")
_FALSE = ("false", "no", "nein", "n", "0", "falsch")


@dataclass(frozen=True)
class Typed:
    """A typed column: values (null where empty or invalid) and which cells were invalid."""

    values: pa.Array
    invalid: pa.Array
    expected: str


def blank_to_null(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Strip whitespace and turn empty strings into nulls."""
    text = trim_whitespace(_combine(column))
    if text.type != pa.string():
        return pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
    # The empty cells become nulls by a new validity bitmap over the same offsets and bytes:
    # no copy of the text, which is what the per-cell ``if_else`` spent its time on.
    offsets = _offsets(text)
    valid = np.diff(offsets) > 0
    if text.null_count:
        valid &= pc.is_valid(text).to_numpy(zero_copy_only=False)
    if valid.all():
        return text
    bitmap = pa.py_buffer(np.packbits(valid, bitorder="little"))
    data = text.buffers()[2]
    return pa.Array.from_buffers(
        pa.string(), len(text), [bitmap, pa.py_buffer(offsets), data], null_count=-1
    )


def trim_whitespace(text: pa.Array) -> pa.Array:
    """``text`` without leading and trailing whitespace; itself when no cell has any.

    Machine-written exports rarely pad their cells: looking at the first and last byte of each
    cell is much cheaper than trimming (a copy of every cell). A byte that may be or start a
    whitespace character (ASCII space and controls, any non-ASCII) leaves it to Arrow's trim.
    """
    if text.type != pa.string() or len(text) == 0 or text.buffers()[2] is None:
        return pc.utf8_trim_whitespace(text)
    offsets = _offsets(text)
    data = np.frombuffer(text.buffers()[2], dtype=np.uint8)
    if len(data) == 0 or _printable(data[offsets[0] : offsets[-1]]):
        return text  # not a space anywhere (ids, codes, numbers): none at an edge either
    starts, ends = offsets[:-1], offsets[1:]
    filled = ends > starts
    first = data[np.minimum(starts, len(data) - 1)]
    last = data[np.maximum(ends - 1, 0)]
    if np.any(filled & ~(_printable_bytes(first) & _printable_bytes(last))):
        return pc.utf8_trim_whitespace(text)
    return text


def _all_plain(text: pa.Array) -> bool | None:
    """Whether every filled cell matches :data:`_PLAIN`, told from the bytes (``None``: ask
    the regular expression). A million cells are looked at in a few vectorised passes rather
    than one match each; only cells of digits, ``-`` and ``.`` get here.
    """
    if text.type != pa.string() or text.buffers()[2] is None:
        return None
    offsets = _offsets(text)
    starts, ends = offsets[:-1], offsets[1:]
    if text.null_count and np.any((ends > starts) & ~pc.is_valid(text).to_numpy(False)):
        return None  # bytes behind a null cell: leave it to the regular expression
    data = np.frombuffer(text.buffers()[2], dtype=np.uint8)[: offsets[-1]]
    used = data[offsets[0] :]
    digit = (data >= 0x30) & (data <= 0x39)
    if not np.all(digit[offsets[0] :] | (used == 0x2D) | (used == 0x2E)):
        return None
    minus = np.flatnonzero(used == 0x2D) + offsets[0]
    cell = np.searchsorted(starts, minus, side="right") - 1
    after = np.minimum(minus + 1, len(data) - 1)
    if not np.all((minus == starts[cell]) & (minus + 1 < ends[cell]) & digit[after]):
        return False  # a minus not leading a number
    dots = np.flatnonzero(used == 0x2E) + offsets[0]
    cell = np.searchsorted(starts, dots, side="right") - 1
    if np.any(np.diff(cell) == 0):  # the points in order, so their cells never decrease
        return False  # two points in one cell
    decimals = ends[cell] - dots - 1
    before = digit[np.maximum(dots - 1, 0)] & (dots > starts[cell])
    return bool(np.all(before & ((decimals == 1) | (decimals == 2) | (decimals >= 4))))


def _printable(data: np.ndarray) -> bool:
    """Whether every byte is printable ASCII other than the space."""
    return len(data) == 0 or (int(data.min()) > 0x20 and int(data.max()) < 0x80)


def _printable_bytes(data: np.ndarray) -> np.ndarray:
    return (data > 0x20) & (data < 0x80)


def _offsets(text: pa.Array) -> np.ndarray:
    """The cells' offsets into the bytes of a ``string`` array (``len(text) + 1`` of them)."""
    offsets = np.frombuffer(text.buffers()[1], dtype=np.int32)
    return offsets[text.offset : text.offset + len(text) + 1]


def _combine(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    if isinstance(column, pa.ChunkedArray):
        return column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    return column


def _invalid(text: pa.Array, values: pa.Array) -> pa.Array:
    return pc.and_(pc.is_valid(text), pc.is_null(values))


def _count(text: pa.Array, pattern: str) -> int:
    return int(pc.sum(pc.cast(pc.match_substring_regex(text, pattern), pa.int64())).as_py() or 0)


def decide_decimal(
    text: pa.Array, hint: str | None, *, column: str, file: str, default: str = "."
) -> str:
    """``","`` or ``"."``: the decimal separator of a column, from unambiguous values or ``hint``.

    ``default`` decides when no value tells (``1.234`` alone): ``","`` for ``;``-separated files,
    the convention of spreadsheets saved with German settings.
    """
    if hint in {",", "."}:
        return hint
    comma = _count(text, _COMMA_DECIMAL)
    point = _count(text, _POINT_DECIMAL)
    if comma and point:
        raise IngestError(
            f"{file}: column {column!r} mixes decimal commas ({comma} values) and decimal points "
            f"({point} values); state the decimal separator in the mapping (decimal: ',' or '.')"
        )
    if comma:
        return ","
    return "." if point else default


def parse_numbers(
    column: pa.Array | pa.ChunkedArray,
    *,
    decimal: str | None = None,
    default_decimal: str = ".",
    integer: bool = False,
    column_name: str = "?",
    file: str = "<file>",
) -> Typed:
    """Parse numbers with either decimal separator, thousands groups, currency or ``-`` last.

    The separator is decided for the whole column (``decimal`` overrides it).
    """
    text, values = number_values(
        column, decimal=decimal, default_decimal=default_decimal, column_name=column_name, file=file
    )
    return typed_numbers(text, values, integer)


def number_values(
    column: pa.Array | pa.ChunkedArray,
    *,
    decimal: str | None = None,
    default_decimal: str = ".",
    column_name: str = "?",
    file: str = "<file>",
) -> tuple[pa.Array, pa.Array]:
    """The cells as :func:`parse_numbers` reads them (trimmed, empty as null) and as numbers.

    Apart from :func:`typed_numbers` so that one parse serves a column read as a decimal and
    as a whole number (``number({Quantity})`` in an expression, ``quantity`` as a field).
    """
    text = blank_to_null(column)
    if text.null_count == len(text):
        # an empty column (``{Sales|?}`` of a file without it): nothing to look at
        return text, pa.nulls(len(text), pa.float64())
    plain = _all_plain(text)
    if plain is None:
        plain = pc.all(pc.match_substring_regex(text, _PLAIN)).as_py()
    if decimal != "," and plain is not False:
        # Plain numbers (the common case of machine-written exports): cast directly.
        return text, pc.cast(text, pa.float64())
    clean = pc.replace_substring_regex(text, _NOISE, "")
    clean = pc.replace_substring_regex(clean, r"^(.*\d)-$", r"-\1")  # SAP's trailing minus
    clean = pc.replace_substring_regex(clean, r"^\((.*)\)$", r"-\1")  # accounting negatives
    separator = decide_decimal(
        clean, decimal, column=column_name, file=file, default=default_decimal
    )
    if separator == ",":
        clean = pc.replace_substring(pc.replace_substring(clean, ".", ""), ",", ".")
    else:
        clean = pc.replace_substring(clean, ",", "")
    ok = pc.match_substring_regex(clean, _NUMBER)
    return text, pc.cast(pc.if_else(ok, clean, pa.scalar(None, pa.string())), pa.float64())


def typed_numbers(text: pa.Array, values: pa.Array, integer: bool) -> Typed:
    """Numbers of :func:`number_values` as a field takes them: whole numbers or any."""
    if not integer:
        return Typed(values, _invalid(text, values), "a number")
    whole = pc.equal(pc.floor(values), values)
    values = pc.cast(
        pc.if_else(whole, values, pa.scalar(None, pa.float64())), pa.int64(), safe=False
    )
    return Typed(values, _invalid(text, values), "a whole number")


def normalise_date_format(fmt: str) -> str:
    """``"dd.mm.yyyy"``-style or strftime format → one of :data:`DATE_FORMATS`' values."""
    label = _STRFTIME.get(fmt, fmt).casefold()
    if label not in DATE_FORMATS:
        known = ", ".join(DATE_FORMATS)
        raise IngestError(f"unknown date format {fmt!r}; use one of {known}")
    return DATE_FORMATS[label]


def decide_date_format(text: pa.Array, hint: str | None, *, column: str, file: str) -> str:
    """The date family of a column: ``iso``, ``dotted``, ``day-first`` or ``month-first``."""
    if hint:
        return normalise_date_format(hint)
    # The family shows in any few thousand values; the day/month order below needs them all.
    sample = pc.drop_null(text).slice(0, _FAMILY_SAMPLE)
    counts = {name: _count(sample, pattern) for name, pattern in DATE_PATTERNS.items()}
    family = max(counts, key=lambda k: counts[k])
    if counts[family] == 0:
        return "iso"
    if family != "slashed":
        return family
    parts = pc.extract_regex(text, DATE_PATTERNS["slashed"])
    first = pc.max(pc.cast(pc.struct_field(parts, "a"), pa.int32())).as_py() or 0
    second = pc.max(pc.cast(pc.struct_field(parts, "b"), pa.int32())).as_py() or 0
    if first > 12 >= second:
        return "day-first"
    if second > 12 >= first:
        return "month-first"
    examples = pc.unique(pc.drop_null(text)).slice(0, 3).to_pylist()
    raise IngestError(
        f"{file}: column {column!r} has dates like {', '.join(map(repr, examples))} that read as "
        "both dd/mm/yyyy and mm/dd/yyyy; give the format with --date-format dd/mm/yyyy or "
        "mm/dd/yyyy (or 'date_format' in the mapping)"
    )


def _parse_iso_layouts(text: pa.Array) -> pa.Array | None:
    """Timestamps when every value has one of the plain ISO layouts, else ``None``."""
    direct = _cast_plain_iso(text)
    if direct is not None:
        return direct
    filled = int(pc.sum(pc.is_valid(text)).as_py() or 0)
    # Fractions of a second and the zone (``.000Z`` in Salesforce exports) are dropped, as the
    # general path does.
    bare = pc.replace_substring_regex(text, r"(\.\d+)?( ?(Z|UTC|[+-]\d{2}:?\d{2}))?$", "")
    for layout in _ISO_LAYOUTS:
        values = pc.strptime(bare, format=layout, unit="us", error_is_null=True)
        if values.null_count != len(text) - filled:
            continue
        # strptime rolls 30 February over into March: only an exact round trip is a date.
        written = pc.strftime(values.cast(pa.timestamp("s")), format=layout)
        if pc.all(pc.equal(written, bare)).as_py() is not False:
            return values
        return None
    return None


def _cast_plain_iso(text: pa.Array) -> pa.Array | None:
    """Arrow's own ISO-8601 cast when every value is ``yyyy-mm-dd`` or ``yyyy-mm-dd hh:mm:ss``.

    The cast checks the calendar (no 30 February) and fails as a whole on any bad value; then
    ``None`` sends the column down the general path, which finds the bad cells one by one.
    """
    lengths = pc.utf8_length(text)
    if pc.all(pc.or_(pc.equal(lengths, 10), pc.equal(lengths, 19))).as_py() is False:
        return None
    try:
        return pc.cast(text, pa.timestamp("us"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def _group(parts: pa.StructArray, name: str, default: str) -> pa.Array:
    # Optional groups that did not take part in a match come back as empty strings.
    values = pc.fill_null(pc.struct_field(parts, name), default)
    return pc.if_else(pc.equal(values, ""), default, values)


def _padded(parts: pa.StructArray, name: str, width: int, default: str) -> pa.Array:
    return pc.utf8_lpad(_group(parts, name, default), width, "0")


def parse_dates(
    column: pa.Array | pa.ChunkedArray,
    *,
    fmt: str | None = None,
    column_name: str = "?",
    file: str = "<file>",
) -> Typed:
    """Parse ISO, ``dd.mm.yyyy`` or slashed dates (with optional time) into timestamps.

    The format is decided per column from the values; slashed dates whose day and month cannot
    be told apart raise :class:`IngestError` asking for the format.
    """
    text = blank_to_null(column)
    family = decide_date_format(text, fmt, column=column_name, file=file)
    if family == "iso":
        fast = _parse_iso_layouts(text)
        if fast is not None:
            return Typed(fast, pa.repeat(pa.scalar(False), len(text)), "a date (yyyy-mm-dd)")
    pattern = DATE_PATTERNS["slashed" if family in {"day-first", "month-first"} else family]
    parts = pc.extract_regex(text, pattern)
    if family == "day-first":
        day, month = _padded(parts, "a", 2, "0"), _padded(parts, "b", 2, "0")
    elif family == "month-first":
        day, month = _padded(parts, "b", 2, "0"), _padded(parts, "a", 2, "0")
    else:
        day, month = _padded(parts, "d", 2, "0"), _padded(parts, "m", 2, "0")
    year = _group(parts, "y", "0")
    year = pc.if_else(
        pc.equal(pc.utf8_length(year), 2), pc.binary_join_element_wise("20", year, ""), year
    )
    hour = pc.cast(_group(parts, "H", "0"), pa.int32())
    meridiem = _group(parts, "P", "-")
    pm = pc.match_substring_regex(meridiem, "^[Pp]")
    am = pc.match_substring_regex(meridiem, "^[Aa]")
    hour = pc.if_else(
        pm, pc.add(pc.remainder(hour, 12), 12), pc.if_else(am, pc.remainder(hour, 12), hour)
    )
    hour_text = pc.utf8_lpad(pc.cast(hour, pa.string()), 2, "0")
    iso = pc.binary_join_element_wise(
        year, "-", month, "-", day, " ", hour_text, ":",
        _padded(parts, "M", 2, "0"), ":", _padded(parts, "S", 2, "0"), "",
    )  # fmt: skip
    values = pc.strptime(iso, format="%Y-%m-%d %H:%M:%S", unit="us", error_is_null=True)
    # strptime rolls 30 February over into March: keep only dates whose day and month survive.
    exists = pc.and_(
        pc.equal(pc.day(values), pc.cast(day, pa.int64())),
        pc.equal(pc.month(values), pc.cast(month, pa.int64())),
    )
    keep = pc.and_(pc.is_valid(parts), pc.fill_null(exists, False))
    values = pc.if_else(keep, values, pa.scalar(None, pa.timestamp("us")))
    label = _FORMAT_LABEL.get(family, {"day-first": "dd/mm/yyyy"}.get(family, "mm/dd/yyyy"))
    return Typed(values, _invalid(text, values), f"a date ({label})")


def parse_booleans(column: pa.Array | pa.ChunkedArray) -> Typed:
    """Parse yes/no, ja/nein, true/false, 1/0 and x (ticked) into booleans."""
    text = blank_to_null(column)
    folded = pc.utf8_lower(text)
    true = pc.is_in(folded, pa.array(_TRUE))
    false = pc.is_in(folded, pa.array(_FALSE))
    values = pc.if_else(true, True, pc.if_else(false, False, pa.scalar(None, pa.bool_())))
    return Typed(values, _invalid(text, values), "yes or no")


def parse_text(column: pa.Array | pa.ChunkedArray) -> Typed:
    """Trimmed text, empty cells as nulls."""
    text = blank_to_null(column)
    return Typed(text, pa.array([False] * len(text), pa.bool_()), "text")
