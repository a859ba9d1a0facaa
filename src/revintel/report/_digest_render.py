"""The weekly digest written out: the e-mail's subject, HTML and plain-text parts and the JSON
a chat webhook receives, all from one :class:`~revintel.report._digest.Digest`."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from revintel.report._digest import Digest, Figure
from revintel.report._html import TEMPLATES


def scope_label(digest: Digest) -> str:
    """``Unternehmen`` / ``company`` or ``Ihre Zahlen`` / ``your figures``."""
    return digest.t(f"digest.scope.{digest.scope}")


def digest_subject(digest: Digest) -> str:
    """The e-mail's subject line: the digest, its scope and the data's day."""
    t = digest.t
    return t("digest.subject").format(scope=scope_label(digest), day=t.date(digest.as_of))


def greeting(digest: Digest) -> str:
    """``Hallo Anna,`` / ``Hello Anna,``; to everyone for the company digest without a user."""
    if not digest.display_name:
        return digest.t("digest.greeting.all")
    return digest.t("digest.greeting").format(name=digest.display_name)


def footer(digest: Digest) -> str:
    """Whose overview the figures are."""
    if not digest.display_name:
        return digest.t("digest.footer.all")
    return digest.t("digest.footer").format(user=digest.display_name)


def _deals_title(digest: Digest) -> str:
    return digest.t(f"digest.deals.{digest.scope}")


def _more_deals(digest: Digest) -> str:
    url = digest.link("/deals", status="open")
    return digest.t("digest.deals.more").format(
        shown=digest.t.number(len(digest.deals)), total=digest.t.number(digest.open_deals), url=url
    )


def render_digest_html(digest: Digest) -> str:
    """The digest as one HTML document with inline styles and no scripts (for e-mail)."""
    t = digest.t
    intro = t(f"digest.intro.{digest.scope}").format(as_of=t.date(digest.as_of))
    return TEMPLATES.get_template("digest.html").render(
        t=t,
        lang=t.lang,
        d=digest,
        subject=digest_subject(digest),
        scope_label=scope_label(digest),
        intro=intro,
        deals_title=_deals_title(digest),
        more=_more_deals(digest),
        greeting=greeting(digest),
        footer=footer(digest),
    )


def _figure_line(f: Figure, previous_label: str) -> str:
    arrow = {"up": " ▲", "down": " ▼"}.get(f.trend, "")
    previous = f" ({previous_label}: {f.previous_text})" if f.previous_text is not None else ""
    return f"  {f.label}: {f.text}{arrow}{previous}"


def summary_line(digest: Digest) -> str:
    """One sentence: leads, open deals with their pipeline, new alerts."""
    figures = {f.key: f.text for f in digest.figures}
    return digest.t("digest.summary").format(
        scope=scope_label(digest),
        leads=figures["leads"],
        open_deals=figures["open_deals"],
        pipeline=figures["open_pipeline"],
        alerts=digest.t.number(len(digest.alerts)),
    )


def render_digest_text(digest: Digest) -> str:
    """The digest as plain text: the e-mail's alternative part and the webhook's ``text``."""
    t = digest.t
    lines = [
        digest_subject(digest),
        "",
        greeting(digest),
        t(f"digest.intro.{digest.scope}").format(as_of=t.date(digest.as_of)),
        "",
        t("digest.figures"),
        *(_figure_line(f, t("kpi.previous")) for f in digest.figures),
        "",
        t("digest.kpis"),
        *([f"  {digest.refused['kpis']}"] if "kpis" in digest.refused else []),
        *(_figure_line(k, t("kpi.previous")) for k in digest.kpis),
        "",
        t("digest.attainment"),
        *_attainment_lines(digest),
        "",
        t("digest.alerts").format(since=t.date(digest.since)),
        *_alert_lines(digest),
        "",
        _deals_title(digest),
        *_deal_lines(digest),
        "",
        f"{t('digest.cockpit')}: {digest.link('/')}",
    ]
    return "\n".join(lines) + "\n"


def _attainment_lines(digest: Digest) -> list[str]:
    t = digest.t
    if "attainment" in digest.refused:
        return [f"  {digest.refused['attainment']}"]
    if not digest.attainment:
        return [f"  {t('digest.attainment.none')}"]
    return [
        f"  {a.label}: {t('digest.attainment.target')} {a.target_text}, "
        f"{t('digest.attainment.booked')} {a.booked_text}, {t('digest.attainment.p50')} "
        f"{a.p50_text} ({a.range_text}), {t('digest.attainment.gap')} {a.gap_text}, "
        f"{t('digest.attainment.p_reach')} {a.p_reach_text}"
        for a in digest.attainment
    ]


def _alert_lines(digest: Digest) -> list[str]:
    if "alerts" in digest.refused:
        return [f"  {digest.refused['alerts']}"]
    if not digest.alerts:
        return [f"  {digest.t('digest.alerts.none')}"]
    return [f"  - {a.text}\n    {a.url}" for a in digest.alerts]


def _deal_lines(digest: Digest) -> list[str]:
    if not digest.deals:
        return [f"  {digest.t('digest.deals.none')}"]
    lines = [
        f"  - {o.name} · {o.stage} · {o.amount_text} · {o.expected_close_text}"
        + (f" · {digest.t('digest.deal.score')} {o.score_text}" if o.score is not None else "")
        for o in digest.deals
    ]
    if digest.open_deals > len(digest.deals):
        lines.append(f"  {_more_deals(digest)}")
    return lines


def _section(key: str, title: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"id": key, "title": title, "items": items}


def digest_payload(digest: Digest) -> dict[str, Any]:
    """The webhook's JSON: ``text`` (the plain-text digest, as chat tools show it), ``title``
    and ``summary``, and the structured ``sections`` with numbers and formatted texts."""
    t = digest.t
    return {
        "title": digest_subject(digest),
        "summary": summary_line(digest),
        "text": render_digest_text(digest),
        "user": digest.username,
        "scope": digest.scope,
        "language": digest.language,
        "currency": digest.currency,
        "as_of": digest.as_of.isoformat(),
        "since": digest.since.isoformat(),
        "url": digest.link("/"),
        "sections": [
            _section("figures", t("digest.figures"), [asdict(f) for f in digest.figures]),
            _section("kpis", t("digest.kpis"), [asdict(k) for k in digest.kpis]),
            _section("attainment", t("digest.attainment"), [asdict(a) for a in digest.attainment]),
            _section(
                "alerts",
                t("digest.alerts").format(since=t.date(digest.since)),
                [{**asdict(a), "period": _iso(a.period)} for a in digest.alerts],
            ),
            _section(
                "deals",
                _deals_title(digest),
                [{**asdict(o), "expected_close": _iso(o.expected_close)} for o in digest.deals],
            ),
        ],
        "open_deals": digest.open_deals,
        "refused": dict(digest.refused),
    }


def _iso(value: Any) -> str | None:
    return None if value is None else str(value.isoformat())
