"""``revintel digest`` end to end: mail through a local SMTP receiver, JSON to a local webhook,
figures equal to the overview page of the same user, per-role deals, and the failure lines."""

from __future__ import annotations

import doctest
import json
import re
import socket
import socketserver
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest
from typer.testing import CliRunner, Result

from revintel.cli import app
from revintel.cli._digest import _write_dry_run
from revintel.metrics import Alert, set_target
from revintel.report import _digest_alerts as digest_alerts
from revintel.report._digest import Digest, Figure
from revintel.report._digest_alerts import DigestAlert, new_alerts, period_end
from revintel.report._digest_send import (
    DigestSendError,
    SmtpSettings,
    post_webhook,
    send_mail,
)
from revintel.server import Settings
from revintel.store import open_store
from tests.web.conftest import SECRET, browser_login, serve_in_thread
from tests.web.conftest import LiveServer as Served
from tests.web.stores import LINEAGE, build_store

NBSP = "\u00a0"
BASE = "http://cockpit.example:8000"
runner = CliRunner()
#: The overview's headline tiles: the digest's figure key → the page's tile id.
TILES = {
    "leads": "leads",
    "accounts": "accounts",
    "open_deals": "open-deals",
    "open_pipeline": "open-pipeline",
    "won_amount": "won-amount",
    "win_rate": "win-rate",
}


# --- local receivers ------------------------------------------------------------------------


@dataclass
class Inbox:
    """What the SMTP receiver got: (envelope recipients, message) per mail."""

    mails: list[tuple[list[str], EmailMessage]] = field(default_factory=list)


class _SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib: greeting, EHLO, MAIL, RCPT, DATA, QUIT."""

    def _reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        inbox: Inbox = self.server.inbox  # type: ignore[attr-defined]
        recipients: list[str] = []
        self._reply("220 localhost ready")
        while line := self.rfile.readline():
            verb, _, rest = line.decode().strip().partition(" ")
            verb = verb.upper()
            if verb == "EHLO":
                self._reply("250-localhost")
                self._reply("250 8BITMIME")
            elif verb == "RCPT":
                recipients.append(rest.partition(":")[2].strip(" <>"))
                self._reply("250 ok")
            elif verb == "DATA":
                self._reply("354 end with a dot")
                body = []
                while (row := self.rfile.readline()) not in (b".\r\n", b""):
                    body.append(row[1:] if row.startswith(b"..") else row)
                parsed = message_from_bytes(b"".join(body), policy=policy.default)
                assert isinstance(parsed, EmailMessage)
                inbox.mails.append((recipients, parsed))
                recipients = []
                self._reply("250 queued")
            elif verb == "QUIT":
                self._reply("221 bye")
                return
            else:
                self._reply("250 ok")


class _WebhookHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        status = 500 if self.path == "/fail" else 200
        if status == 200:
            self.server.posts.append(json.loads(body))  # type: ignore[attr-defined]
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output quiet."""


@pytest.fixture(scope="module")
def smtp() -> Iterator[tuple[int, Inbox]]:
    """A threaded SMTP receiver on a free loopback port."""
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SmtpHandler)
    server.daemon_threads = True
    server.inbox = Inbox()  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], server.inbox  # type: ignore[attr-defined]
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def webhook() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A JSON webhook receiver on a free loopback port (``/fail`` answers 500)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _WebhookHandler)
    server.posts = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", server.posts  # type: ignore[attr-defined]
    server.shutdown()
    server.server_close()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- the store and its overview page -----------------------------------------------------------


def _more_deals() -> pd.DataFrame:
    # Beside the hand-made store's O2 (r1, 5,000.00 open): one more open deal per rep.
    frame = pd.DataFrame([
        {"opportunity_id": "O4", "name": "Kupplungen Ost", "account_id": "A3", "lead_id": "L09",
         "rep_id": "r2", "amount": 7500.5, "currency": "EUR", "created_at": datetime(2024, 4, 20),
         "expected_close_at": datetime(2024, 6, 30), "status": "open",
         "stage": "contract_negotiation"},
        {"opportunity_id": "O5", "name": "Dichtungen Nord", "account_id": "A1", "lead_id": "L03",
         "rep_id": "r1", "amount": 1234.0, "currency": "EUR", "created_at": datetime(2024, 5, 2),
         "expected_close_at": datetime(2024, 7, 15), "status": "open",
         "stage": "opportunity_generated"},
    ])  # fmt: skip
    frame["source_id"] = frame["opportunity_id"]
    return frame.assign(**LINEAGE)


@dataclass(frozen=True)
class Company:
    """The store file, the open deals per rep read from it, and the admin's overview page."""

    db: Path
    open_deals: dict[str | None, set[str]]
    page: str


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Company:
    """The web tests' hand-made store with two more open deals, an e-mail address for rep r1
    and a 2024-Q2 order-intake target; with the overview page of ``admin`` in English as a
    served dashboard renders it."""
    db = tmp_path_factory.mktemp("digest") / "store.duckdb"
    build_store(db)
    with open_store(db) as store:
        with store.transaction():
            store.insert("opportunities", _more_deals())
            reps = store.table("reps").to_pandas()
            store.delete_keys("reps", reps[["rep_id"]])
            reps.loc[reps["rep_id"] == "r1", "email"] = "anna@example.com"
            store.insert("reps", reps)
        set_target(
            store, actor="test", period_start=date(2024, 4, 1), period_end=date(2024, 6, 30),
            amount=50_000,
        )  # fmt: skip
        deals = store.table("opportunities").to_pandas()
    open_deals = deals[deals["status"] == "open"]
    by_rep = {r: set(g["opportunity_id"]) for r, g in open_deals.groupby("rep_id")}
    # The server stops (and lets go of the store file) before the command line opens it.
    for url in serve_in_thread(Settings(db=str(db), secret_key=SECRET, warm_up=False)):
        client = browser_login(Served(url, db, {}), "admin")
        client.headers["Cookie"] += "; revintel_lang=en"
        page = client.get("/").text
    return Company(db, {None: set(open_deals["opportunity_id"]), **by_rep}, page)


#: Configuration the environment might carry; each test names what it uses.
UNSET: dict[str, str | None] = dict.fromkeys((
    "REVINTEL_LANG", "REVINTEL_BASE_URL", "REVINTEL_DIGEST_WEBHOOK", "REVINTEL_SMTP_HOST",
    "REVINTEL_SMTP_PORT", "REVINTEL_SMTP_USER", "REVINTEL_SMTP_PASSWORD", "REVINTEL_SMTP_FROM",
    "REVINTEL_SMTP_STARTTLS", "REVINTEL_APP_DB",
))  # fmt: skip


def _digest_cli(company: Company, *args: str) -> Result:
    argv = ["digest", "--db", str(company.db), "--base-url", BASE, *args]
    return runner.invoke(app, argv, env=UNSET)


def _value(html: str, element_id: str) -> str:
    match = re.search(rf'id="{re.escape(element_id)}".*?class="value">\s*([^<]*?)\s*<', html, re.S)
    assert match, element_id
    return match.group(1)


def _page_block(html: str, element_id: str) -> str:
    match = re.search(rf'id="{re.escape(element_id)}"(.*?)</div>', html, re.S)
    assert match, element_id
    return match.group(1)


def _page_value(html: str, element_id: str) -> str:
    """A tile's value on the overview page, in full (a compact amount's ``title``)."""
    found = re.search(
        r'<span(?: title="([^"]*)")? class="value">(?:<span title="([^"]*)">)?\s*([^<]*)',
        _page_block(html, element_id),
    )
    assert found, element_id
    return found.group(1) or found.group(2) or found.group(3).strip()


def _page_previous(html: str, kpi: str) -> str:
    found = re.search(r"(?:Vorperiode|previous period): ([^<]*)</span>", _page_block(html, kpi))
    assert found, kpi
    return found.group(1).strip()


def _assert_overview_figures(mail_html: str, page: str) -> None:
    """The digest's tiles and KPIs read exactly as the overview page writes them."""
    for key, tile in TILES.items():
        assert _value(mail_html, f"figure-{key}") == _page_value(page, f"tile-{tile}"), key
    kpis = re.findall(r'id="kpi-([a-z_]+)"', page)
    assert kpis == ["mqls", "lvr", "mql_sal_acceptance", "win_rate", "sales_cycle"]
    for kpi in kpis:
        assert _value(mail_html, f"kpi-{kpi}") == _page_value(page, f"kpi-{kpi}"), kpi
        previous = re.search(rf'id="kpi-{kpi}".*?</td>\s*<td[^>]*>([^<]*)</td>', mail_html, re.S)
        assert previous and previous.group(1) == _page_previous(page, f"kpi-{kpi}"), kpi


def _parts(mail: EmailMessage) -> tuple[str, str]:
    assert mail.get_content_type() == "multipart/alternative"
    plain, html = mail.get_body(("plain",)), mail.get_body(("html",))
    assert plain is not None and html is not None
    # Lines travel with CRLF endings; the texts compare with LF.
    text, page = (str(p.get_content()).replace("\r\n", "\n") for p in (plain, html))
    return text, page


def _deal_ids(html: str) -> set[str]:
    return set(re.findall(r'data-deal="([^"]+)"', html))


# --- end to end -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def german_rep_mail(company: Company, smtp: tuple[int, Inbox]) -> tuple[Result, EmailMessage]:
    port, inbox = smtp
    before = len(inbox.mails)
    result = _digest_cli(
        company, "--to-user", "anna", "--lang", "de", "--smtp-host", "127.0.0.1",
        "--smtp-port", str(port), "--smtp-from", "revintel@example.com",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (recipients, mail), *rest = inbox.mails[before:]
    assert not rest and recipients == ["anna@example.com"]
    return result, mail


def test_german_mail_has_both_parts_and_the_reps_figures_in_german(
    german_rep_mail: tuple[Result, EmailMessage],
) -> None:
    result, mail = german_rep_mail
    assert result.stdout == f"digest sent for anna: 1 e-mail(s) via 127.0.0.1:{_port(result)}\n"
    assert mail["To"] == "anna@example.com" and mail["From"] == "revintel@example.com"
    assert mail["Subject"] == "revintel Wochenüberblick Ihre Zahlen – 20.05.2024"
    text, html = _parts(mail)
    # anna (r1) sees 7 leads, her open deals O2 5.000,00 + O5 1.234,00 and won O1 12.345,67.
    assert _value(html, "figure-leads") == "7"
    assert _value(html, "figure-open_deals") == "2"
    assert _value(html, "figure-open_pipeline") == f"6.234,00{NBSP}€"
    assert _value(html, "figure-won_amount") == f"12.345,67{NBSP}€"
    assert _value(html, "figure-win_rate") == f"100,0{NBSP}%"
    assert "Auf einen Blick" in html and "Ihre offenen Deals" in html
    assert f"Offene Pipeline: 6.234,00{NBSP}€" in text and "Hallo Anna," in text
    assert f"Dichtungen Nord · Opportunity generiert · 1.234,00{NBSP}€ · 15.07.2024" in text


def _port(result: Result) -> str:
    match = re.search(r"127\.0\.0\.1:(\d+)", result.stdout)
    assert match
    return match.group(1)


def test_a_reps_digest_lists_exactly_their_open_deals(
    company: Company, german_rep_mail: tuple[Result, EmailMessage]
) -> None:
    _, html = _parts(german_rep_mail[1])
    assert _deal_ids(html) == company.open_deals["r1"] == {"O2", "O5"}
    assert f'href="{BASE}/deals/O5"' in html


def test_the_quarter_target_attainment_is_shown(
    german_rep_mail: tuple[Result, EmailMessage],
) -> None:
    # The 2024-Q2 target is the company's: a sales rep has none of their own.
    text, _ = _parts(german_rep_mail[1])
    assert "Zielerreichung im Quartal\n  Für dieses Quartal sind keine Ziele hinterlegt." in text


@pytest.fixture(scope="module")
def english_company_run(
    company: Company, smtp: tuple[int, Inbox], webhook: tuple[str, list[dict[str, Any]]]
) -> tuple[Result, EmailMessage, dict[str, Any]]:
    port, inbox = smtp
    url, posts = webhook
    before, posted = len(inbox.mails), len(posts)
    result = _digest_cli(
        company, "--to-user", "admin", "--to", "ops@example.com", "--lang", "en",
        "--smtp-host", "127.0.0.1", "--smtp-port", str(port), "--webhook", f"{url}/hook",
        "--verbose",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (recipients, mail), *rest = inbox.mails[before:]
    assert not rest and recipients == ["ops@example.com"]
    (payload,) = posts[posted:]
    return result, mail, payload


def test_english_company_mail_has_the_admins_overview_figures(
    company: Company, english_company_run: tuple[Result, EmailMessage, dict[str, Any]]
) -> None:
    result, mail, _ = english_company_run
    assert result.stdout.splitlines() == [
        "admin (company) → ops@example.com: 5 KPIs, 0 new alerts, 3 of 3 open deals",
        f"digest sent for admin: 1 e-mail(s) via 127.0.0.1:{_port(result)} and 1 webhook post(s)",
    ]
    assert mail["Subject"] == "revintel weekly digest company – May 20, 2024"
    text, html = _parts(mail)
    _assert_overview_figures(html, company.page)
    # The company: 12 leads; open O2 5,000.00 + O4 7,500.50 + O5 1,234.00; won O1, lost O3.
    assert _value(html, "figure-leads") == "12"
    assert _value(html, "figure-open_pipeline") == "€13,734.50"
    assert _value(html, "figure-win_rate") == "50.0%"
    assert _deal_ids(html) == company.open_deals[None] == {"O2", "O4", "O5"}
    assert "At a glance" in html and "Open deals" in text and "Hello Admin," in text


def test_company_attainment_of_the_quarter(
    company: Company, english_company_run: tuple[Result, EmailMessage, dict[str, Any]]
) -> None:
    _, mail, payload = english_company_run
    (line,) = next(s for s in payload["sections"] if s["id"] == "attainment")["items"]
    assert (line["period"], line["scope"], line["target"]) == ("2024-Q2", "company", 50_000.0)
    # Nothing was won in 2024-Q2 up to the data's last day (O1 was won in March).
    assert line["booked"] == 0.0 and line["target_text"] == "€50,000.00"
    assert line["p10"] <= line["p50"] <= line["p90"] and 0.0 <= line["p_reach"] <= 1.0
    assert line["gap"] == pytest.approx(50_000.0 - line["p50"])
    # The overview's attainment tile: P50 against the target, in its title.
    tile = _page_block(company.page, "tile-attainment")
    assert f'class="value" title="{line["p50_text"]} / {line["target_text"]}"' in tile
    _, html = _parts(mail)
    assert f"<td>Company · 2024-Q2</td><td{_RIGHT}>€50,000.00</td>" in html


_RIGHT = ' style="text-align:right;white-space:nowrap;"'


def test_webhook_json_carries_the_same_figures(
    company: Company, english_company_run: tuple[Result, EmailMessage, dict[str, Any]]
) -> None:
    _, mail, payload = english_company_run
    page = company.page
    sections = {s["id"]: s for s in payload["sections"]}
    assert list(sections) == ["figures", "kpis", "attainment", "alerts", "deals"]
    figures = {f["key"]: f for f in sections["figures"]["items"]}
    for key, tile in TILES.items():
        assert figures[key]["text"] == _page_value(page, f"tile-{tile}"), key
    assert figures["open_pipeline"]["value"] == pytest.approx(13_734.5)
    assert figures["leads"]["value"] == 12
    for kpi in sections["kpis"]["items"]:
        assert kpi["text"] == _page_value(page, f"kpi-{kpi['key']}")
    deals = {d["opportunity_id"]: d for d in sections["deals"]["items"]}
    assert deals["O4"]["amount_text"] == "€7,500.50" and deals["O4"]["expected_close"] == (
        "2024-06-30"
    )
    assert deals["O4"]["url"] == f"{BASE}/deals/O4" and deals["O4"]["stage"] == (
        "Contract negotiation"
    )
    assert payload["text"] == _parts(mail)[0]
    assert payload["summary"] == "company: 12 leads, 3 open deals (€13,734.50), 0 new alerts"
    assert (payload["user"], payload["language"], payload["url"]) == ("admin", "en", f"{BASE}/")


# --- alerts: which are new, and where they link ---------------------------------------------


def test_new_alerts_are_those_completed_since_with_links_to_their_rows() -> None:
    fired = [
        Alert("mql_sal_acceptance", "below_threshold", date(2024, 11, 1), {"channel": "email"},
              0.3, 0.5, reason_de="November", reason_en="November"),
        Alert("mql_sal_acceptance", "below_threshold", date(2024, 10, 1), {"channel": "email"},
              0.3, 0.5, reason_de="Oktober", reason_en="October"),
        Alert("lvr", "negative_streak", date(2024, 11, 1), {}, -0.1, 0.0,
              reason_de="LVR", reason_en="LVR"),
        Alert("time_in_stage", "stalled", None, {"stage": "offer_sent", "industry": "Bau"},
              40.0, 20.0, reason_de="hängt", reason_en="stalled"),
        Alert("average_discount", "discount_drift", date(2024, 10, 1), {"segment": "KMU"},
              0.2, 0.1, reason_de="Rabatt", reason_en="discount"),
        Alert("sla_accept_attainment", "sla_breach", date(2024, 11, 1),
              {"segment": "KMU", "channel": "email"}, 0.6, 0.8, reason_de="SLA", reason_en="SLA"),
    ]  # fmt: skip
    # Since 25.11.2024: November's periods ended on 1.12. (new), October's on 1.11. (not),
    # the quarterly discount drift's 2024-Q4 ends on 1.1.2025 (new); stalled deals are current.
    found = new_alerts(BASE, fired, date(2024, 11, 25), "de")
    november = "reached_from=2024-11-01&reached_to=2024-11-30"
    assert [(a.text, a.url) for a in found] == [
        ("November", f"{BASE}/leads?reached=mql&decided=sal&{november}&channel=email"),
        ("LVR", f"{BASE}/leads?reached=mql&{november}"),
        ("hängt", f"{BASE}/deals?status=open&stage=offer_sent&industry=Bau"),
        ("Rabatt", f"{BASE}/pricing?segment=KMU"),
        ("SLA", f"{BASE}/handover?channel=email"),
    ]
    assert found[0] == DigestAlert(
        "mql_sal_acceptance", "below_threshold", date(2024, 11, 1), "November", found[0].url
    )
    assert [a.text for a in new_alerts(BASE, fired, date(2024, 11, 1), "en")] == [
        "November", "October", "LVR", "stalled", "discount", "SLA"
    ]  # fmt: skip


def test_the_examples_in_the_docstrings_hold() -> None:
    assert doctest.testmod(digest_alerts).failed == 0


def test_period_end() -> None:
    assert period_end(date(2024, 12, 1), "month") == date(2025, 1, 1)
    assert period_end(date(2024, 10, 1), "quarter") == date(2025, 1, 1)
    assert period_end(date(2024, 1, 1), "year") == date(2025, 1, 1)
    assert period_end(date(2024, 12, 30), "week") == date(2025, 1, 6)


# --- failures: one line, exit code 2 --------------------------------------------------------


def _one_error_line(result: Result, expected: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.splitlines() == [f"error: {expected}"]


def test_configuration_errors_are_one_line_and_exit_2(
    company: Company, smtp: tuple[int, Inbox], webhook: tuple[str, list[dict[str, Any]]]
) -> None:
    port = str(smtp[0])
    _one_error_line(
        _digest_cli(company),
        "nothing to send to: set REVINTEL_SMTP_HOST (--smtp-host) or REVINTEL_DIGEST_WEBHOOK "
        "(--webhook), or use --dry-run",
    )
    _one_error_line(
        _digest_cli(company, "--to-user", "nobody", "--webhook", webhook[0]),
        "--to-user: no active user 'nobody' (see revintel users list)",
    )
    _one_error_line(
        _digest_cli(company, "--lang", "fr", "--webhook", webhook[0]), "--lang 'fr': use de or en"
    )
    _one_error_line(
        _digest_cli(company, "--webhook", "ftp://x"),
        "--webhook 'ftp://x': must start with http:// or https://",
    )
    _one_error_line(
        _digest_cli(company, "--to", "chef", "--webhook", webhook[0]),
        "--to 'chef' is not an e-mail address",
    )
    _one_error_line(
        _digest_cli(company, "--dry-run", "--base-url", "cockpit.example"),
        "--base-url 'cockpit.example': must start with http:// or https://",
    )
    # The company digest as admin has no address of its own.
    _one_error_line(
        _digest_cli(company, "--smtp-host", "127.0.0.1", "--smtp-port", port),
        "no e-mail address for 'digest': pass --to ADDRESS",
    )
    _one_error_line(
        _digest_cli(company, "--to-user", "admin", "--smtp-host", "127.0.0.1", "--smtp-port", port),
        "no e-mail address for 'admin': pass --to ADDRESS",
    )


def test_an_unreachable_smtp_server_fails_before_any_work(company: Company) -> None:
    port = _closed_port()
    result = _digest_cli(
        company, "--to", "x@example.com", "--smtp-host", "127.0.0.1", "--smtp-port", str(port)
    )
    assert result.exit_code == 2 and result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"error: SMTP server 127.0.0.1:{port} unreachable: ")


def _tiny_digest() -> Digest:
    return Digest(
        username="anna", display_name="Anna", scope="own", language="de", currency="EUR",
        as_of=date(2024, 5, 20), since=date(2024, 5, 13), base_url=BASE,
        figures=[Figure(k, k, "1", 1.0) for k in TILES], kpis=[], alerts=[], deals=[],
        open_deals=0,
    )  # fmt: skip


def test_transport_failures_name_the_server(webhook: tuple[str, list[dict[str, Any]]]) -> None:
    with pytest.raises(DigestSendError, match=r"^webhook http://127\.0\.0\.1:\d+ answered 500 "):
        post_webhook(f"{webhook[0]}/fail", _tiny_digest())
    port = _closed_port()
    with pytest.raises(DigestSendError, match=rf"^webhook http://127\.0\.0\.1:{port} unreachable"):
        post_webhook(f"http://127.0.0.1:{port}/secret-path", _tiny_digest())
    with pytest.raises(DigestSendError, match=rf"^SMTP server 127\.0\.0\.1:{port} unreachable"):
        send_mail(SmtpSettings("127.0.0.1", port), [])
    with pytest.raises(ValueError, match="needs an SMTP user"):
        SmtpSettings("mail.example.com", password="geheim")


def test_dry_run_writes_html_files_and_needs_no_transport(tmp_path: Path) -> None:
    anna, admin = _tiny_digest(), replace(_tiny_digest(), username="admin", scope="company")
    assert _write_dry_run([anna], tmp_path / "d.html") == str(tmp_path / "d.html")
    html = (tmp_path / "d.html").read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and "<script" not in html
    assert "Ihre offenen Deals" in html and 'id="figure-leads"' in html
    # Several recipients: one file each, named after the user.
    where = _write_dry_run([anna, admin], tmp_path / "d.html")
    assert where == f"{tmp_path / 'd-anna.html'}, {tmp_path / 'd-admin.html'}"
    assert "Offene Deals" in (tmp_path / "d-admin.html").read_text(encoding="utf-8")


def test_a_dry_run_checks_the_user_but_not_the_transport(company: Company) -> None:
    _one_error_line(
        _digest_cli(company, "--to-user", "nobody", "--dry-run"),
        "--to-user: no active user 'nobody' (see revintel users list)",
    )


def test_webhook_client_posts_json(webhook: tuple[str, list[dict[str, Any]]]) -> None:
    url, posts = webhook
    before = len(posts)
    with httpx.Client() as client:
        post_webhook(f"{url}/hook", _tiny_digest(), client)
    (payload,) = posts[before:]
    assert payload["text"].startswith("revintel Wochenüberblick Ihre Zahlen – 20.05.2024\n")
    assert [s["id"] for s in payload["sections"]] == [
        "figures", "kpis", "attainment", "alerts", "deals"
    ]  # fmt: skip
