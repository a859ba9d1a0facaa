"""The OpenAPI document as an exact contract: stable operation ids, one tag per resource and
every error status an operation can answer, each with the one error body.

FastAPI's generated document only knows the success answer and its own validation error; the
statuses below are derived from each route's dependencies and parameters, so a new endpoint
gets them without declaring anything.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any, get_args

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts

from revintel.server._deps import (
    SAFE_METHODS,
    AdminDep,
    AnalystDep,
    ImporterDep,
    current_user,
    optional_user,
)
from revintel.server._errors import BUSY_RETRY_SECONDS, ErrorResponse
from revintel.server._settings import Settings

Schema = dict[str, Any]
ERROR_REF = "#/components/schemas/ErrorResponse"

#: Operation ids (``verbNoun``, lower camel case) by method and path below ``/api/v1``. A route
#: missing here gets one made of its method and path (:func:`operation_id`).
OPERATION_IDS = {
    ("GET", "/health"): "getHealth",
    ("GET", "/store"): "getStore",
    ("GET", "/imports"): "listImports",
    ("POST", "/imports"): "uploadImport",
    ("GET", "/imports/rejections"): "listImportRejections",
    ("DELETE", "/imports/{batch_id}"): "undoImport",
    ("GET", "/quality"): "getQuality",
    ("GET", "/dedupe"): "listDuplicateCandidates",
    ("POST", "/dedupe/{pair_id}"): "decideDuplicateCandidate",
    ("GET", "/kpis"): "getKpiTiles",
    ("GET", "/kpis/catalogue"): "getKpiCatalogue",
    ("GET", "/kpis/values"): "getKpiValues",
    ("GET", "/funnel"): "getFunnel",
    ("GET", "/funnel/{view}"): "getFunnelView",
    ("GET", "/alerts"): "listAlerts",
    ("GET", "/targets"): "listTargets",
    ("POST", "/targets"): "uploadTargets",
    ("GET", "/fx-rates"): "listFxRates",
    ("POST", "/fx-rates"): "uploadFxRates",
    ("GET", "/leads"): "listLeads",
    ("GET", "/leads/{lead_id}"): "getLead",
    ("GET", "/opportunities"): "listOpportunities",
    ("GET", "/opportunities/{opportunity_id}"): "getOpportunity",
    ("GET", "/accounts"): "listAccounts",
    ("GET", "/accounts/{account_id}"): "getAccount",
    ("GET", "/forecast"): "getForecast",
    ("GET", "/forecast/backtest"): "getForecastBacktest",
    ("GET", "/forecast/pipeline"): "getWeightedPipeline",
    ("GET", "/forecast/probabilities"): "getWinProbabilities",
    ("GET", "/scores/models"): "listScoreModels",
    ("POST", "/scores/train"): "trainScores",
    ("POST", "/scores/apply"): "applyScores",
    ("GET", "/me"): "getCurrentUser",
    ("GET", "/users"): "listUsers",
    ("POST", "/users"): "createUser",
    ("DELETE", "/users/{username}/sessions"): "endUserSessions",
    ("GET", "/tokens"): "listTokens",
    ("POST", "/tokens"): "createToken",
    ("DELETE", "/tokens/{token_id}"): "revokeToken",
    ("GET", "/report"): "getReport",
    ("GET", "/export/{entity}"): "exportRecords",
    ("GET", "/customers"): "listCustomers",
    ("GET", "/customers/{account_id}"): "getCustomer",
    ("GET", "/crosssell"): "listCrossSellRecommendations",
    ("GET", "/campaigns"): "listCampaigns",
    ("POST", "/campaigns"): "buildCampaign",
    ("GET", "/campaigns/{campaign_id}"): "getCampaign",
    ("GET", "/attribution"): "getAttribution",
    ("GET", "/attribution/compare"): "compareAttributionModels",
    ("POST", "/attribution/paths"): "attributePathFile",
    ("GET", "/journey/mix"): "getJourneyChannelMix",
    ("GET", "/journey/shares"): "getJourneyTouchShares",
    ("GET", "/journey/event"): "getJourneyEventShift",
    ("GET", "/journey/before-sales"): "getJourneyBeforeSales",
    ("GET", "/journey/content"): "getJourneyContent",
    ("GET", "/journey/sequences"): "getJourneySequences",
}
#: The pattern every operation id follows.
OPERATION_ID = re.compile(r"^[a-z]+(?:[A-Z][a-z0-9]*)+$")
#: Resources whose operations share another's tag (the caller is a user).
_TAG_OF = {"me": "users"}
#: Operations that take the store's import turn: 409 while another import runs.
IMPORT_TURN = {("POST", "/imports"), ("DELETE", "/imports/{batch_id}")}
#: A character the server accepts in a query string (it answers 400 to control characters).
NO_CONTROLS = r"[^\x00-\x1f\x7f]"
_NO_CONTROL_AHEAD = rf"(?!{NO_CONTROLS}*[\x00-\x1f\x7f])"
_VERBS = {"GET": "get", "POST": "create", "PUT": "replace", "PATCH": "update", "DELETE": "delete"}

_DESCRIPTIONS = {
    400: "The query string holds control characters.",
    401: "No valid API token (`Authorization: Bearer …`) or signed-in session.",
    403: "The caller's role may not do this, the record belongs to another rep, or a browser "
    "session sent no valid `X-CSRF-Token` header.",
    404: "No record with this id (or nothing of the kind exists yet).",
    409: "Another import into the store is running; retry after `Retry-After` seconds.",
    413: "The request body exceeds the server's `max_body_bytes`.",
    422: "A parameter or the body is invalid; `field` names the parameter at fault.",
}


def operation_id(method: str, path: str) -> str:
    """The operation id of ``method`` on ``path`` (relative to ``/api/v1``).

    Known operations have a chosen id; others get the method's verb and the path's words,
    e.g. ``GET /leads/export`` → ``getLeadsExport``.
    """
    known = OPERATION_IDS.get((method, path))
    if known is not None:
        return known
    words = [w for part in path.split("/") if part for w in re.split(r"[^a-zA-Z0-9]+", part) if w]
    return _VERBS.get(method, method.lower()) + "".join(w[:1].upper() + w[1:] for w in words)


def resource_tag(path: str) -> str:
    """The tag of a path (relative to ``/api/v1``): its first segment, the resource."""
    first = path.strip("/").split("/", 1)[0]
    return _TAG_OF.get(first, first)


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _calls(sub)


def _role_checks() -> set[Callable[..., Any]]:
    """The dependencies that refuse a caller lacking a permission."""
    return {get_args(dep)[1].dependency for dep in (AdminDep, AnalystDep, ImporterDep)}


def _names_record(parameter: Schema, components: Schema) -> bool:
    """Whether a parameter is a path parameter naming a record (not one of fixed values)."""
    schema = parameter.get("schema", {})
    ref = str(schema.get("$ref", ""))
    if ref:
        schema = components.get(ref.rsplit("/", 1)[-1], {})
    return parameter["in"] == "path" and "enum" not in schema


def error_statuses(
    route: RouteContext, method: str, operation: Schema, components: Schema
) -> set[int]:
    """Every error status ``method`` on ``route`` can answer, from its dependencies,
    parameters and body (plus those the route declares itself)."""
    calls = set(_calls(route.dependant))
    statuses = {400}
    if current_user in calls or optional_user in calls:
        statuses.add(401)
        if method not in SAFE_METHODS:
            statuses.add(403)  # a browser session must send the CSRF header
    if calls & _role_checks():
        statuses.add(403)
    params = operation.get("parameters", [])
    if any(_names_record(p, components) for p in params):
        statuses |= {403, 404} if 401 in statuses else {404}
    if "requestBody" in operation:
        statuses |= {413, 422}
    if params:
        statuses.add(422)
    statuses |= {int(s) for s in route.responses if str(s).isdigit() and int(s) >= 400}
    return statuses


def _error_response(status: int, description: str) -> Schema:
    response: Schema = {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": ERROR_REF}}},
    }
    if status == 401:
        response["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}}}
    if status == 409:
        response["headers"] = {
            "Retry-After": {
                "description": f"seconds to wait before retrying ({BUSY_RETRY_SECONDS})",
                "schema": {"type": "integer"},
            }
        }
    return response


def _limit_notes(operation: Schema, settings: Settings) -> None:
    """Put this server's forecast limits into the operation's parameters and description."""
    names = {p["name"]: p for p in operation.get("parameters", [])}
    if "simulations" in names:
        schema = names["simulations"]["schema"]
        most = settings.max_simulations
        schema["maximum"] = min(schema.get("maximum", most), most)
    if "what_if" in names:
        note = (
            f"\n\nOn this server a what-if factor lies between 0 and "
            f"{settings.max_what_if_factor:g}, and the `lead_volume` factors of one request "
            f"multiply to at most {settings.max_what_if_factor:g}."
        )
        operation["description"] = operation.get("description", "") + note


def forbid_controls(node: Schema) -> None:
    """Exclude control characters from a query parameter's free strings, as the server does
    (400 for any in the query string), keeping a pattern the string already has."""
    for branch in node.get("anyOf", []):
        forbid_controls(branch)
    if isinstance(node.get("items"), dict):
        forbid_controls(node["items"])
    if node.get("type") != "string" or "enum" in node or "format" in node:
        return
    pattern = node.get("pattern")
    if pattern is None:
        node["pattern"] = f"^{NO_CONTROLS}*$"
    elif pattern.startswith("^"):
        node["pattern"] = f"^{_NO_CONTROL_AHEAD}{pattern[1:]}"
    else:
        node["pattern"] = rf"^{_NO_CONTROL_AHEAD}[\s\S]*?(?:{pattern})"


def _mark_files(node: Any) -> None:
    """Add ``format: binary`` to uploaded files: client generators that do not read OpenAPI
    3.1's ``contentMediaType`` would otherwise send a file as text."""
    if isinstance(node, dict):
        if node.get("type") == "string" and "contentMediaType" in node:
            node.setdefault("format", "binary")
        for value in node.values():
            _mark_files(value)
    elif isinstance(node, list):
        for value in node:
            _mark_files(value)


def _components(schema: Schema) -> None:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    _mark_files(components)
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    error = ErrorResponse.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(error.pop("$defs", {}))
    components["ErrorResponse"] = error


def contract(schema: Schema, routes: list[Any], settings: Settings, prefix: str) -> Schema:
    """Rewrite FastAPI's document of ``routes`` into the API's contract (in place)."""
    for route in iter_route_contexts(routes):
        if not isinstance(route.original_route, APIRoute) or not route.include_in_schema:
            continue
        relative = str(route.path_format).removeprefix(prefix)
        for method in sorted(route.methods or ()):
            operation = schema["paths"].get(route.path_format, {}).get(method.lower())
            if operation is None:
                continue
            operation["operationId"] = operation_id(method, relative)
            operation["tags"] = [resource_tag(relative)]
            responses = operation.setdefault("responses", {})
            components = schema.get("components", {}).get("schemas", {})
            statuses = error_statuses(route, method, operation, components)
            if "422" in responses:  # FastAPI's own validation answer, replaced below
                statuses.add(422)
            if (method, relative) in IMPORT_TURN:
                statuses.add(409)
            for status in sorted(statuses):
                declared = route.responses.get(status, route.responses.get(str(status), {}))
                text = declared.get("description") or _DESCRIPTIONS.get(status, "Error.")
                responses[str(status)] = _error_response(status, text)
            _limit_notes(operation, settings)
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query":
                    forbid_controls(parameter["schema"])
    _components(schema)
    tags = {t for path in schema["paths"].values() for op in path.values() for t in op["tags"]}
    schema["tags"] = [{"name": t} for t in sorted(tags)]
    return schema


def unique_id(prefix: str) -> Callable[[APIRoute], str]:
    """FastAPI's ``generate_unique_id_function``: the operation id, so that the names FastAPI
    derives from it (request body schemas) read like the operation's."""

    def generate(route: APIRoute) -> str:
        method = sorted(route.methods)[0] if route.methods else "GET"
        return operation_id(method, route.path_format.removeprefix(prefix))

    return generate


def install_openapi(app: FastAPI, settings: Settings, prefix: str) -> None:
    """Serve the contract (built once, on first request) as the application's document."""
    generate = app.openapi

    def openapi() -> Schema:
        if app.openapi_schema is None:
            app.openapi_schema = contract(generate(), app.routes, settings, prefix)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
