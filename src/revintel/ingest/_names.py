"""Normalising company names and domains so the same company matches across systems."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

_UMLAUTS = (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"), ("é", "e"), ("è", "e"), ("à", "a"))
#: Legal forms dropped before comparing names (German, Austrian, Swiss, English, French…).
LEGAL_FORMS = (
    "gmbh & co. kgaa", "gmbh & co. kg", "gmbh & co kg", "gmbh u. co. kg", "ag & co. kg",
    "gmbh", "mbh", "kgaa", "ag", "kg", "ohg", "gbr", "se", "ug (haftungsbeschraenkt)", "ug",
    "e.k.", "e. k.", "ek", "e.v.", "inc.", "inc", "ltd.", "ltd", "llc", "corp.", "corp",
    "co.", "s.a.", "sa", "sarl", "s.r.l.", "srl", "b.v.", "bv", "plc", "limited", "holding",
)  # fmt: skip


def _legal_form_pattern() -> str:
    alternatives = sorted(
        (f.replace(".", r"\.").replace("(", r"\(").replace(")", r"\)") for f in LEGAL_FORMS),
        key=len,
        reverse=True,
    )
    return r"\s(" + "|".join(alternatives) + r")$"


_LEGAL = _legal_form_pattern()


def normalise_names(names: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Lower-case company names with umlauts spelled out and legal forms removed.

    ``"Müller Maschinenbau GmbH & Co. KG"`` and ``"Mueller Maschinenbau GmbH"`` both become
    ``"mueller maschinenbau"``.
    """
    text = pc.utf8_lower(names)
    for umlaut, spelled in _UMLAUTS:
        text = pc.replace_substring(text, umlaut, spelled)
    text = pc.replace_substring_regex(text, r"\s+(und|and|\+)\s+", " & ")
    text = pc.utf8_trim_whitespace(text)
    for _ in range(2):  # "Holding GmbH" leaves a second form behind
        text = pc.replace_substring_regex(text, _LEGAL, "")
    text = pc.replace_substring_regex(text, r"[^a-z0-9& ]+", " ")
    text = pc.replace_substring_regex(text, r"\s+", " ")
    return pc.utf8_trim_whitespace(text)


def normalise_domains(domains: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Bare domains: ``"https://www.Mueller-MB.de/kontakt"`` → ``"mueller-mb.de"``."""
    text = pc.utf8_lower(pc.utf8_trim_whitespace(domains))
    text = pc.replace_substring_regex(text, r"^[a-z]+://", "")
    text = pc.replace_substring_regex(text, r"^www\.", "")
    text = pc.replace_substring_regex(text, r"[/?#].*$", "")
    text = pc.replace_substring_regex(text, r"^.*@", "")
    return pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
