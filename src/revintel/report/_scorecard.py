"""The joint scorecard as HTML: one fragment shown by the dashboard page and, wrapped in a whole
document with its styles inline (A4, print-friendly, no external resources), printed to PDF.

Page and PDF render the same fragment from the same :class:`~revintel.views._scorecard.Scorecard`,
so the PDF shows exactly the page's figures.
"""

from __future__ import annotations

from babel.dates import format_date as babel_format_date
from markupsafe import Markup

from revintel.i18n import LOCALES, Language, Translator
from revintel.report._html import TEMPLATES
from revintel.report._pdf import html_to_pdf
from revintel.views._scorecard import Scorecard, TargetLine

#: Styles of the standalone document: A4 pages, tables that do not split their rows.
PRINT_CSS = """
@page { size: A4; margin: 14mm 12mm; }
body { font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; font-size: 9.5pt;
       color: #1b1b1b; margin: 0; }
h1 { font-size: 16pt; margin: 0 0 4pt; color: #1f5f8b; }
h2 { font-size: 12pt; margin: 14pt 0 4pt; color: #1f5f8b; break-after: avoid; }
p { margin: 3pt 0; }
.note { color: #555; font-size: 8.5pt; }
.gap { color: #7a4b00; background: #fff6e0; padding: 4pt 6pt; }
table { border-collapse: collapse; width: 100%; margin: 4pt 0 8pt; }
th, td { border-bottom: 1px solid #d6d6d6; padding: 3pt 4pt; text-align: left;
         vertical-align: top; }
th { background: #eef3f7; font-weight: 600; }
tr { break-inside: avoid; }
.num { text-align: right; white-space: nowrap; }
.definition { color: #555; font-size: 8pt; }
.formula { font-size: 7.5pt; color: #333; }
ul.alerts { padding-left: 14pt; }
"""


def month_text(card: Scorecard, language: Language) -> str:
    """The card's month in words: ``November 2024``."""
    return babel_format_date(card.month, "MMMM yyyy", locale=LOCALES[language])


def owner_text(line: TargetLine, t: Translator) -> str:
    """Who a target is for, in words: ``Team Nord``, ``Person Anna Zimmermann``, ``Unternehmen``."""
    name = {
        "company": "",
        "team": line.team or "",
        "person": line.rep_name or line.rep_id or "",
        "segment": line.segment or "",
    }[line.owner]
    head = t(f"scorecard.owner.{line.owner}")
    return f"{head} {name}".strip()


def amount_text(line: TargetLine, value: float, t: Translator) -> str:
    """A target or actual: money for order intake, a count otherwise."""
    return t.money(value) if line.measure == "order_intake" else t.number(value)


def targets_note(card: Scorecard, t: Translator) -> str:
    """Which quarter's targets are shown and up to which day its actuals count."""
    start, end = card.target_period
    return t("scorecard.targets.note").format(
        quarter=card.quarter_label,
        start=t.date(start),
        end=t.date(end),
        to_date=t.date(min(end, card.as_of)),
    )


def contribution_note(card: Scorecard, t: Translator) -> str:
    """The model the contribution section reads and why."""
    key = f"scorecard.contribution.why.{card.attribution_model}"
    why = t(key)
    if why == key:  # a model the packaged texts do not explain
        why = t("scorecard.contribution.why.other")
    return t("scorecard.contribution.note").format(model=model_name(card, t), why=why)


def model_name(card: Scorecard, t: Translator) -> str:
    """The attribution model's name in the reader's language."""
    key = f"attribution.model.{card.attribution_model}"
    found = t(key)
    return card.attribution_model if found == key else found


def render_scorecard(card: Scorecard, language: Language, standalone: bool) -> str:
    """The scorecard as HTML in ``language``: the fragment the dashboard page includes, or with
    ``standalone`` a whole document (styles inline, A4) for the PDF."""
    t = Translator(language, card.currency)
    template = TEMPLATES.get_template("scorecard.html")
    return template.render(
        t=t,
        lang=language,
        card=card,
        standalone=standalone,
        css=Markup(PRINT_CSS),
        month_text=month_text(card, language),
        targets_note=targets_note(card, t),
        contribution_note=contribution_note(card, t),
        model_name=model_name(card, t),
        owner_text=lambda line: owner_text(line, t),
        amount=lambda line, value: amount_text(line, value, t),
    )


def scorecard_pdf(card: Scorecard, language: Language) -> bytes:
    """The standalone scorecard printed to PDF by headless Chromium (see
    :func:`revintel.report._pdf.html_to_pdf`; raises its ``PdfError``)."""
    return html_to_pdf(render_scorecard(card, language, standalone=True))
