"""Files as they arrive: what a file's bytes are, compressed files, archives and workbook sheets.

A file's first bytes decide how it is read, not its name alone: an export may come gzipped
(``orders.csv.gz``), zipped with several exports inside, as a workbook with one export per
sheet, or be something else entirely (an image saved under ``.csv``), which is refused in one
line. Every unpacked byte counts against :attr:`FileLimits.max_unpacked_bytes`, declared sizes
before anything is unpacked and actual ones while it is.
"""

from __future__ import annotations

import gzip
import re
import tempfile
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO, TypeVar

from revintel.ingest._errors import IngestError
from revintel.ingest._limits import FileLimits

_CHUNK = 1 << 20
#: Bytes read to tell what a file is.
SNIFF_BYTES = 8192
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"\x28\xb5\x2f\xfd", "a zstd archive"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\x7fELF", "an executable program"),
)
# "BZh", the block size and the block magic: a header row may well start with "BZh".
_BZIP2 = re.compile(rb"BZh[1-9]1AY&SY")
_HTML = re.compile(rb"^\s*(<!doctype html|<html|<table)", re.IGNORECASE)
_TEXT_CONTROLS = set(range(32)) - {9, 10, 12, 13}
_SKIPPED_MEMBERS = ("__MACOSX/",)
_SHEET = re.compile(rb"<(?:\w+:)?sheet\b[^>]*?\bname=\"([^\"]*)\"[^>]*?\br:id=\"([^\"]+)\"")
_SHEET_ALT = re.compile(rb"<(?:\w+:)?sheet\b[^>]*?\br:id=\"([^\"]+)\"[^>]*?\bname=\"([^\"]*)\"")
_RELATION = re.compile(rb"<Relationship\b[^>]*?\bId=\"([^\"]+)\"[^>]*?\bTarget=\"([^\"]+)\"")
_RELATION_ALT = re.compile(rb"<Relationship\b[^>]*?\bTarget=\"([^\"]+)\"[^>]*?\bId=\"([^\"]+)\"")
_VALUE = re.compile(rb"<(?:\w+:)?(?:v|is|t)\b[^>]*>\s*[^<\s]")
_OVERLAP = 256


@dataclass(frozen=True)
class FilePart:
    """One file of an import that lives inside another: an archive member or a workbook sheet.

    Attributes
    ----------
    path
        The file on disk (the archive or the workbook).
    member
        The member of a ``.zip`` archive, if any.
    sheet
        The workbook sheet, if the workbook holds several exports.
    """

    path: Path
    member: str | None = None
    sheet: str | None = None

    def __str__(self) -> str:
        return ":".join([str(self.path), *(p for p in (self.member, self.sheet) if p)])


def describe(head: bytes) -> str:
    """What ``head`` (a file's first bytes) is: ``gzip``, ``zip``, ``ole2``, ``parquet``,
    ``text``, or the description of a file that holds no export (``a PNG image``)."""
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole2"
    if head.startswith(b"PAR1"):
        return "parquet"
    for signature, what in _SIGNATURES:
        if head.startswith(signature):
            return what
    if _BZIP2.match(head):
        return "a bzip2 archive"
    if _HTML.match(head[:512]):
        return "an HTML page (save the table as CSV or .xlsx)"
    if _is_binary(head):
        return "binary data"
    return "text"


def _is_binary(head: bytes) -> bool:
    if not head or head.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        return False
    half = len(head) // 2
    if max(head[1::2].count(0), head[0::2].count(0)) > half * 9 // 10:
        return False  # UTF-16 without a byte-order mark: every other byte is NUL
    # A stray NUL in one cell is a bad cell (its row is rejected), not a binary file.
    if head.count(0) > max(4, len(head) // 200):
        return True
    controls = sum(1 for b in head if b in _TEXT_CONTROLS)
    return controls > len(head) // 20


def not_an_export(name: str, what: str) -> IngestError:
    """The one-line refusal of a file that is not a text or spreadsheet file."""
    return IngestError(f"{name}: not a text or spreadsheet file (looks like {what})")


def read_head(path: Path) -> bytes:
    """The first :data:`SNIFF_BYTES` of ``path``."""
    with path.open("rb") as stream:
        return stream.read(SNIFF_BYTES)


def _bounded_read(stream: BinaryIO, name: str, limits: FileLimits) -> bytes:
    """All of ``stream``, refusing as soon as more than the unpacked limit comes out."""
    chunks, total = [], 0
    while chunk := stream.read(_CHUNK):
        total += len(chunk)
        if total > limits.max_unpacked_bytes:
            raise IngestError(
                f"{name}: unpacks beyond the limit of {limits.max_unpacked_bytes:,} bytes "
                "(split the file)"
            )
        chunks.append(chunk)
    return b"".join(chunks)


def gunzip(path: Path, name: str, limits: FileLimits) -> bytes:
    """The decompressed content of a gzip file, bounded by the unpacked limit."""
    try:
        with gzip.open(path, "rb") as stream:
            return _bounded_read(stream, name, limits)  # type: ignore[arg-type]
    except (OSError, EOFError, zlib.error) as exc:
        raise IngestError(f"{name}: not a readable gzip file ({exc})") from None


def is_workbook(path: Path | BinaryIO) -> bool:
    """Whether a zip file is an Office Open XML or OpenDocument workbook, not an archive."""
    try:
        with zipfile.ZipFile(path) as book:
            names = set(book.namelist())
            if "xl/workbook.xml" in names:
                return True
            if "mimetype" in names:
                return book.read("mimetype").startswith(b"application/vnd.oasis.opendocument")
    except (zipfile.BadZipFile, OSError):
        return False
    return False


def archive_members(path: Path, name: str, limits: FileLimits) -> list[str]:
    """The files of a zip archive to import (folders and macOS metadata left out).

    Their declared sizes together count against the unpacked limit before any is unpacked.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            infos = [i for i in archive.infolist() if _is_export_member(i)]
    except (zipfile.BadZipFile, OSError) as exc:
        raise IngestError(f"{name}: not a readable zip archive ({exc})") from None
    if not infos:
        raise IngestError(f"{name}: the zip archive holds no file")
    declared = sum(i.file_size for i in infos)
    if declared > limits.max_unpacked_bytes:
        raise IngestError(
            f"{name}: unpacks to {declared:,} bytes; the limit is "
            f"{limits.max_unpacked_bytes:,} (split the archive)"
        )
    return [i.filename for i in infos]


def _is_export_member(info: zipfile.ZipInfo) -> bool:
    if info.is_dir() or info.filename.startswith(_SKIPPED_MEMBERS):
        return False
    base = PurePosixPath(info.filename).name
    return not base.startswith(".")  # .DS_Store, AppleDouble "._" files


def read_member(path: Path, member: str, name: str, limits: FileLimits) -> bytes:
    """One archive member's bytes; declared and actual sizes bounded by the unpacked limit."""
    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo(member)
            if info.file_size > limits.max_unpacked_bytes:
                raise IngestError(
                    f"{name}: unpacks to {info.file_size:,} bytes; the limit is "
                    f"{limits.max_unpacked_bytes:,} (split the file)"
                )
            with archive.open(info) as stream:
                return _bounded_read(stream, name, limits)  # type: ignore[arg-type]
    except (zipfile.BadZipFile, KeyError, OSError, zlib.error) as exc:
        raise IngestError(f"{name}: cannot unpack ({exc})") from None


def workbook_sheets(path: Path, limits: FileLimits) -> list[str]:
    """Names of an ``.xlsx`` workbook's sheets that hold a value, in workbook order.

    Read from the workbook's XML (streamed, within the unpacked limit), without parsing cells.
    """
    try:
        with zipfile.ZipFile(path) as book:
            if sum(i.file_size for i in book.infolist()) > limits.max_unpacked_bytes:
                return []  # the spreadsheet reader refuses it, naming the size
            listed = book.read("xl/workbook.xml")
            rels = book.read("xl/_rels/workbook.xml.rels")
            targets = {rid: target for rid, target in _pairs(rels, _RELATION, _RELATION_ALT)}
            budget = [limits.max_unpacked_bytes]
            found = []
            for sheet, rid in _pairs(listed, _SHEET, _SHEET_ALT):
                target = targets.get(rid, "").lstrip("/")
                part = target if target.startswith("xl/") else f"xl/{target}"
                if part in book.namelist() and _has_value(book, part, budget):
                    found.append(_unescape(sheet))
            return found
    except (zipfile.BadZipFile, KeyError, OSError, zlib.error):
        return []  # the spreadsheet reader reports what is wrong with the file


def _pairs(
    xml: bytes, pattern: re.Pattern[bytes], alternative: re.Pattern[bytes]
) -> list[tuple[str, str]]:
    """Attribute pairs of the elements ``pattern`` matches, whatever the attributes' order."""
    found = [(m[1].decode(), m[2].decode()) for m in pattern.finditer(xml)]
    if found:
        return found
    return [(m[2].decode(), m[1].decode()) for m in alternative.finditer(xml)]


def _has_value(book: zipfile.ZipFile, part: str, budget: list[int]) -> bool:
    tail = b""
    with book.open(part) as stream:
        while chunk := stream.read(_CHUNK):
            budget[0] -= len(chunk)
            if budget[0] < 0:
                return True  # let the extent check refuse it with its own message
            if _VALUE.search(tail + chunk):
                return True
            tail = chunk[-_OVERLAP:]
    return False


def _unescape(text: str) -> str:
    for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'")):
        text = text.replace(entity, char)
    return text.replace("&amp;", "&")


#: Suffixes of workbooks whose sheets may each hold an export.
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


@contextmanager
def member_on_disk(path: Path, member: str, name: str, limits: FileLimits) -> Iterator[Path]:
    """An archive member unpacked (within the limits) into a temporary file, removed afterwards."""
    data = read_member(path, member, name, limits)
    with tempfile.TemporaryDirectory(prefix="revintel-member-") as folder:
        target = Path(folder) / (PurePosixPath(member).name or "member")
        target.write_bytes(data)
        del data
        yield target


def file_parts(path: Path, shown: str, limits: FileLimits) -> list[tuple[Path | FilePart, str]]:
    """The exports one given file holds, each with the name reports give it.

    A zip archive holds one per member (``export.zip:orders.csv``), a workbook one per sheet
    with values when it has several (``book.xlsx:Orders``); any other file is itself.
    """
    if not path.is_file() or describe(read_head(path)) != "zip":
        return [(path, shown)]
    if is_workbook(path):
        return _sheet_parts(path, None, path, shown, limits)
    parts: list[tuple[Path | FilePart, str]] = []
    for member in archive_members(path, shown, limits):
        label = f"{shown}:{member}"
        if member.lower().endswith(WORKBOOK_SUFFIXES):
            with member_on_disk(path, member, label, limits) as book:
                parts += _sheet_parts(path, member, book, label, limits)
        else:
            parts.append((FilePart(path, member), label))
    return parts


def _sheet_parts(
    path: Path, member: str | None, book: Path, shown: str, limits: FileLimits
) -> list[tuple[Path | FilePart, str]]:
    sheets = workbook_sheets(book, limits)
    if len(sheets) <= 1:
        # One export: named as the file is, read as a single-sheet workbook always was.
        return [(path if member is None else FilePart(path, member), shown)]
    return [(FilePart(path, member, sheet), f"{shown}:{sheet}") for sheet in sheets]


Given = TypeVar("Given")


def expand_files(
    files: Sequence[Given], names: Sequence[str], limits: FileLimits
) -> tuple[list[Given | Path | FilePart], list[str]]:
    """Every given file replaced by the exports it holds (see :func:`file_parts`), with names.

    Anything not a path (a table of the store's engine) is kept as it is.
    """
    out: list[Given | Path | FilePart] = []
    shown: list[str] = []
    for given, name in zip(files, names, strict=True):
        if isinstance(given, str | Path):
            for part, label in file_parts(Path(given), name, limits):
                out.append(part)
                shown.append(label)
        else:
            out.append(given)
            shown.append(name)
    return out, shown
