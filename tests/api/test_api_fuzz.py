"""The OpenAPI document fuzzed with schemathesis: no 5xx and no response that breaks the schema, with an
administrator's API token (so the fuzzer reaches the handlers) and without credentials."""

from __future__ import annotations

from datetime import timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from sojourn.api.app import ApiContext, create_app
from sojourn.api.auth_tokens import SCOPES, issue_token
from sojourn.api.callers import Role
from tests.e2e.conftest import s1  # noqa: F401 - fixture
from tests.e2e.jit_fixtures import Jit, jit  # noqa: F401 - fixture


def test_openapi_fuzz_no_server_errors(jit: Jit) -> None:  # noqa: F811
    if not jit.sojourn.database_url.startswith("sqlite"):
        pytest.skip("one database is enough for fuzzing the HTTP layer")
    context = ApiContext(jit.service, jit.store.tokens, jit.store.audit, jit.clock)
    app = create_app(context)
    now = jit.clock.now()
    token, record = issue_token("fuzz", frozenset(Role), SCOPES, now + timedelta(days=1), now)
    jit.store.tokens.add(record)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    for operation in schema.get_all_operations():
        api_operation = operation.ok()

        @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(case=api_operation.as_strategy())
        def run(case: object) -> None:
            for headers in ({"Authorization": f"Bearer {token}"}, {}):
                response = case.call(headers=headers)  # type: ignore[attr-defined]
                if response.status_code >= 500:
                    failures.append(f"{case} -> {response.status_code}: {response.text[:200]}")
                case.validate_response(response)  # type: ignore[attr-defined]

        run()
    assert failures == []
