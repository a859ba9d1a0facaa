"""What revintel can do, one entry per capability, and where each surface finds its parts.

Every surface reads this registry instead of naming the others: the command line imports each
capability's command module, the server includes its API routers and dashboard pages, and the
dashboard draws its navigation from the nav entries. The parts are named by import strings
(``"package.module:attribute"``) and resolved only when a surface starts, so this module imports
no surface and the surfaces never import each other.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class NavEntry:
    """A link in the dashboard's navigation.

    Attributes
    ----------
    path
        The page's URL path.
    message_key
        Message key of the link text (also gives the element id: ``nav.funnel`` → ``nav-funnel``).
    order
        Position in the navigation, smallest first.
    permission
        Name of the permission (:class:`revintel.auth.Permission`) a user needs to see the link;
        ``None`` shows it to everyone signed in.
    """

    path: str
    message_key: str
    order: int
    permission: str | None = None

    @property
    def element_id(self) -> str:
        """The link's HTML id."""
        return self.message_key.replace(".", "-")


@dataclass(frozen=True)
class Capability:
    """One capability and its parts on each surface.

    Attributes
    ----------
    name
        Short identifier.
    summary
        What the capability offers, in one line.
    cli_module
        Module registering its ``revintel`` commands when imported.
    api_routers
        Routers served under ``/api/v1``, as ``"module:attribute"``.
    page_routers
        Dashboard page routers, as ``"module:attribute"``.
    nav
        The dashboard's navigation links to its pages.
    server_setup
        Functions called with the application after every router is included (static files,
        error pages, work done ahead), as ``"module:attribute"``.
    messages
        Modules holding the capability's messages (German and English texts of the pages,
        the report and the command line), beside the common ones every capability uses.
    """

    name: str
    summary: str
    cli_module: str | None = None
    api_routers: tuple[str, ...] = ()
    page_routers: tuple[str, ...] = ()
    nav: tuple[NavEntry, ...] = ()
    server_setup: tuple[str, ...] = ()
    messages: tuple[str, ...] = ()


_MESSAGES = "revintel.i18n.messages"

#: Every capability, in the order of ``revintel --help``, the API and the page routers.
CAPABILITIES: tuple[Capability, ...] = (
    Capability(
        "foundation",
        "the store, its tables and the demo company",
        cli_module="revintel.cli._foundation",
        api_routers=("revintel.api.routers.store:router",),
        messages=(f"{_MESSAGES}.columns", f"{_MESSAGES}.cli"),
    ),
    Capability(
        "operations",
        "backups of the store and restores from them",
        cli_module="revintel.cli._backup",
    ),
    Capability(
        "ingest",
        "importing exports, data quality and duplicate accounts",
        cli_module="revintel.cli._ingest",
        api_routers=(
            "revintel.api.routers.imports:router",
            "revintel.api.routers.quality:router",
            "revintel.api.routers.dedupe:router",
        ),
        page_routers=("revintel.web._imports:router", "revintel.web._duplicates:router"),
        nav=(
            NavEntry("/quality", "nav.quality", 70, permission="import_data"),
            NavEntry("/import", "nav.import", 80, permission="import_data"),
        ),
        messages=(f"{_MESSAGES}.quality", f"{_MESSAGES}.imports", f"{_MESSAGES}.duplicates"),
    ),
    Capability(
        "metrics",
        "KPIs, the funnel, lead velocity, alerts and targets",
        cli_module="revintel.cli._metrics",
        api_routers=(
            "revintel.api.routers.analytics:router",
            "revintel.api.routers.gaps:router",
            "revintel.api.routers.targets:router",
        ),
        page_routers=(
            "revintel.web._funnel:router",
            "revintel.web._velocity:router",
            "revintel.web._targets:router",
        ),
        nav=(
            NavEntry("/funnel", "nav.funnel", 20),
            NavEntry("/velocity", "nav.velocity", 30),
            NavEntry("/targets", "nav.targets", 44),
        ),
        messages=(
            f"{_MESSAGES}.funnel",
            f"{_MESSAGES}.velocity",
            f"{_MESSAGES}.gaps",
            f"{_MESSAGES}.targets",
        ),
    ),
    Capability(
        "currencies",
        "the store currency and exchange rates every amount is converted with",
        cli_module="revintel.cli._fx",
        api_routers=("revintel.api.routers.fx_rates:router",),
        messages=(f"{_MESSAGES}.currency",),
    ),
    Capability(
        "records",
        "the overview, leads, deals and accounts with their journeys",
        api_routers=(
            "revintel.api.routers.leads:router",
            "revintel.api.routers.opportunities:router",
            "revintel.api.routers.accounts:router",
            "revintel.api.routers.export:router",
        ),
        page_routers=("revintel.web._pages:router", "revintel.web._accounts:router"),
        nav=(
            NavEntry("/", "nav.overview", 10),
            NavEntry("/leads", "nav.leads", 50),
            NavEntry("/deals", "nav.deals", 60),
            NavEntry("/accounts", "nav.accounts", 65),
        ),
        messages=(
            f"{_MESSAGES}.overview",
            f"{_MESSAGES}.leads",
            f"{_MESSAGES}.deals",
            f"{_MESSAGES}.accounts",
        ),
    ),
    Capability(
        "forecast",
        "order-intake forecasts, backtests and what-if scenarios",
        cli_module="revintel.cli._forecast",
        api_routers=("revintel.api.routers.forecast:router",),
        page_routers=("revintel.web._forecast:router",),
        nav=(NavEntry("/forecast", "nav.forecast", 40),),
        messages=(f"{_MESSAGES}.forecast",),
    ),
    Capability(
        "scores",
        "lead and deal scores: training, applying, explaining",
        cli_module="revintel.cli._score",
        api_routers=("revintel.api.routers.scores:router",),
        messages=(f"{_MESSAGES}.scores",),
    ),
    Capability(
        "users",
        "users, roles, API tokens and signing in",
        api_routers=("revintel.api.routers.users:router",),
        page_routers=("revintel.web._login:router",),
        messages=(f"{_MESSAGES}.login",),
    ),
    Capability(
        "serve",
        "the dashboard and the REST API on one server",
        cli_module="revintel.cli._serve",
        server_setup=("revintel.web:install_web",),
    ),
    Capability(
        "report",
        "the management report as HTML and Excel",
        cli_module="revintel.cli._report",
        api_routers=("revintel.api.routers.report:router",),
        messages=(f"{_MESSAGES}.report", f"{_MESSAGES}.digest"),
    ),
    Capability(
        "customers",
        "customer development: repeat purchases, customer value, churn risk, next-best products",
        cli_module="revintel.cli._customers",
        api_routers=("revintel.api.routers.customers:router",),
        page_routers=("revintel.web._customers:router",),
        nav=(NavEntry("/customers", "nav.customers", 45),),
        server_setup=("revintel.web._customers:install_customers",),
        messages=(f"{_MESSAGES}.customers", f"{_MESSAGES}.crosssell"),
    ),
    Capability(
        "campaigns",
        "cross-selling micro-campaigns: select target accounts, hold out a control, measure uplift",
        cli_module="revintel.cli._campaigns",
        api_routers=("revintel.api.routers.campaigns:router",),
        messages=(f"{_MESSAGES}.campaigns",),
    ),
    Capability(
        "attribution",
        "value contribution of marketing and sales channels, and the digital buying journey",
        cli_module="revintel.cli._attribution",
        api_routers=("revintel.api.routers.attribution:router",),
        page_routers=("revintel.web._attribution:router", "revintel.web._buying_journey:router"),
        nav=(
            NavEntry("/attribution", "nav.attribution", 46),
            NavEntry("/buying-journey", "nav.journey", 47),
        ),
        server_setup=("revintel.web._attribution:install_attribution",),
        messages=(f"{_MESSAGES}.attribution",),
    ),
    Capability(
        "buying_journey",
        "the digital buying journey on the command line and the API (its page is attribution's)",
        cli_module="revintel.cli._journey",
        api_routers=("revintel.api.routers.buying_journey:router",),
    ),
    Capability(
        "pricing",
        "price waterfall and leakage, price bands, price response and deal guidance",
        cli_module="revintel.cli._pricing",
        api_routers=(
            "revintel.api.routers.pricing:router",
            "revintel.api.routers.pricing_analytics:router",
        ),
        page_routers=("revintel.web._pricing:router",),
        nav=(NavEntry("/pricing", "nav.pricing", 48),),
        server_setup=(
            "revintel.web._pricing:install_pricing",
            "revintel.api.routers.pricing:install_guidance_warmer",
        ),
        messages=(
            f"{_MESSAGES}.pricing",
            f"{_MESSAGES}.pricing_waterfall",
            f"{_MESSAGES}.pricing_bands",
            f"{_MESSAGES}.pricing_response",
            f"{_MESSAGES}.pricing_guidance",
        ),
    ),
    Capability(
        "allocation",
        "sales capacity where the potential is: account potential, rep performance, suggested "
        "owners and the assignment of the reps' selling hours",
        cli_module="revintel.cli._allocation",
        api_routers=("revintel.api.routers.allocation:router",),
        page_routers=("revintel.web._allocation:router",),
        nav=(NavEntry("/allocation", "nav.allocation", 49, permission="handle_leads"),),
        server_setup=("revintel.web._allocation:install_allocation",),
        messages=(f"{_MESSAGES}.allocation", f"{_MESSAGES}.allocation_page"),
    ),
    Capability(
        "alignment",
        "lead handover with service levels and feedback, the funnel planned back from a target, "
        "and the joint scorecard of marketing and sales",
        cli_module="revintel.cli._alignment",
        api_routers=(
            "revintel.api.routers.handover:router",
            "revintel.api.routers.feedback:router",
            "revintel.api.routers.sla:router",
            "revintel.api.routers.plan:router",
            "revintel.api.routers.scorecard:router",
        ),
        page_routers=(
            "revintel.web._handover:router",
            "revintel.web._plan:router",
            "revintel.web._scorecard:router",
            "revintel.web._feedback:router",
        ),
        nav=(
            NavEntry("/handover", "nav.handover", 52),
            NavEntry("/feedback", "nav.feedback", 53),
            NavEntry("/plan", "nav.plan", 42),
            NavEntry("/scorecard", "nav.scorecard", 41),
        ),
        messages=(
            f"{_MESSAGES}.handover",
            f"{_MESSAGES}.feedback",
            f"{_MESSAGES}.feedback_page",
            f"{_MESSAGES}.sla",
            f"{_MESSAGES}.plan",
            f"{_MESSAGES}.scorecard",
        ),
    ),
)


def resolve(target: str) -> Any:
    """The object named by ``"package.module:attribute"``, importing its module.

    Raises
    ------
    ValueError
        ``target`` has no ``:`` or the module lacks the attribute.
    """
    module_name, _, attribute = target.partition(":")
    if not attribute:
        raise ValueError(f"{target!r} is not of the form 'package.module:attribute'")
    module = importlib.import_module(module_name)
    try:
        return getattr(module, attribute)
    except AttributeError:
        raise ValueError(f"{module_name} has no {attribute!r} (from {target!r})") from None


def cli_modules() -> tuple[str, ...]:
    """The command modules, in the order their commands appear in ``revintel --help``."""
    return tuple(c.cli_module for c in CAPABILITIES if c.cli_module)


def api_routers() -> tuple[str, ...]:
    """Every API router, in registry order."""
    return tuple(r for c in CAPABILITIES for r in c.api_routers)


def page_routers() -> tuple[str, ...]:
    """Every dashboard page router, in registry order."""
    return tuple(r for c in CAPABILITIES for r in c.page_routers)


def server_setups() -> tuple[str, ...]:
    """The functions completing the application, in registry order."""
    return tuple(s for c in CAPABILITIES for s in c.server_setup)


def nav_entries() -> tuple[NavEntry, ...]:
    """The dashboard's navigation links, in display order."""
    return tuple(sorted((e for c in CAPABILITIES for e in c.nav), key=lambda e: e.order))


def message_modules() -> tuple[str, ...]:
    """The capabilities' message modules, in registry order."""
    return tuple(m for c in CAPABILITIES for m in c.messages)
