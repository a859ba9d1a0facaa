"""schemathesis against the OpenAPI document: no generated request may cause a server error."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

from tests.web.conftest import LiveServer

EXAMPLES_PER_OPERATION = 10


def test_no_server_errors(live_server: LiveServer) -> None:
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    users = st.sampled_from(["admin", "anna", "ben"])

    for operation in operations:

        @given(case=operation.as_strategy(), user=users)
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def fuzz(case: schemathesis.Case, user: str) -> None:
            headers = {"Authorization": f"Bearer {live_server.tokens[user]}"}
            case.call_and_validate(
                base_url=live_server.url, headers=headers, checks=[not_a_server_error]
            )

        fuzz()
