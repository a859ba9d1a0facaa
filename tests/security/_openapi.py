"""The operations of a running server's OpenAPI document, so that the security tests cover every
endpoint, also those added after the tests were written."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

#: Operations anyone may call without logging in.
PUBLIC = {("GET", "/api/v1/health"), ("POST", "/api/v1/login"), ("POST", "/api/v1/auth/login")}


#: POST operations that change nothing: they compute an answer from the request body.
COMPUTING_POSTS = ("/api/v1/pricing/guidance",)


@dataclass(frozen=True)
class Operation:
    """One method on one path of the API, with its parameters as the document declares them."""

    method: str
    path: str
    parameters: tuple[dict[str, Any], ...]
    has_body: bool

    @property
    def path_params(self) -> list[str]:
        """Names of the parameters in the path."""
        return [p["name"] for p in self.parameters if p["in"] == "path"]

    @property
    def query_params(self) -> dict[str, dict[str, Any]]:
        """Query parameter name → its schema."""
        return {p["name"]: p.get("schema", {}) for p in self.parameters if p["in"] == "query"}

    @property
    def writes(self) -> bool:
        """Whether the operation changes data (a POST that only computes an answer from its
        body, like deal guidance for a CRM, does not)."""
        return self.method != "GET" and self.path not in COMPUTING_POSTS

    def url(self, values: dict[str, str]) -> str:
        """The path with its parameters filled from ``values`` (``x`` for unknown ones)."""
        path = self.path
        for name in self.path_params:
            path = path.replace("{" + name + "}", values.get(name, "x"))
        return path


def operations(client: httpx.Client) -> list[Operation]:
    """Every operation of the document at ``/api/openapi.json``."""
    response = client.get("/api/openapi.json")
    assert response.status_code == 200, response.text
    found = []
    for path, methods in response.json()["paths"].items():
        for method, operation in methods.items():
            found.append(
                Operation(
                    method=method.upper(),
                    path=path,
                    parameters=tuple(operation.get("parameters", ())),
                    has_body="requestBody" in operation,
                )
            )
    assert found, "the OpenAPI document lists no operation"
    return found


def enum_values(schema: dict[str, Any]) -> list[Any]:
    """The allowed values of an enumerated parameter schema (also inside ``anyOf``), else []."""
    if "enum" in schema:
        return list(schema["enum"])
    for option in [*schema.get("anyOf", []), *schema.get("allOf", [])]:
        values = enum_values(option)
        if values:
            return values
    if schema.get("type") == "array":
        return enum_values(schema.get("items", {}))
    return []
