"""Property-based API test: schemathesis generates requests from our OpenAPI schema; none may 500.

It runs authenticated as a system admin (who reaches every code path) against the real app and
the real database of the current backend. (We drive schemathesis through its Hypothesis
strategies: its pytest plugin does not work with the pytest version we pin.)
"""

from __future__ import annotations

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from sqlalchemy import Engine

from content_service.models.people import Role
from tests.factories import bearer, create_school, create_user


def test_no_operation_answers_500(client: TestClient, db: Engine) -> None:
    create_school(db)
    headers = bearer(client, create_user(db, role=Role.SYSTEM_ADMIN, school=None))
    schema = schemathesis.openapi.from_asgi("/openapi.json", client.app)
    # Logging out would revoke the token the rest of the run uses; test_auth covers it.
    operations = [
        op for op in (r.ok() for r in schema.get_all_operations()) if op.path != "/auth/logout"
    ]
    assert len(operations) >= 15
    statuses: list[int] = []

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=12, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        def no_server_error(case: schemathesis.Case) -> None:
            response = case.call(session=client, headers=headers)
            statuses.append(response.status_code)
            case.validate_response(response, checks=[not_a_server_error])

        no_server_error()

    # The run reached the routes' code, not just the authentication gate.
    assert any(200 <= s < 300 for s in statuses)
    assert statuses.count(401) < len(statuses) // 10
