"""The OpenAPI schema, the docs page, and schemathesis over every operation: no server error
and no response that breaks the schema, for generated input (valid and not), authenticated
with a partnership lead's read-and-write token on an active project."""

import re

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import make_token


def test_the_schema_is_openapi_3_and_lists_every_resource(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    paths = set(schema["paths"])
    for path in (
        "/api/v1/projects/",
        "/api/v1/projects/{id}/",
        "/api/v1/projects/{id}/submit/",
        "/api/v1/projects/{id}/withdraw/",
        "/api/v1/projects/{id}/gates/{kind}/sign-off/",
        "/api/v1/projects/{id}/measures/",
        "/api/v1/projects/{id}/reports/{number}/submit/",
        "/api/v1/projects/{id}/disclosures/",
        "/api/v1/disclosures/{id}/download/",
        "/api/v1/partners/",
        "/api/v1/declarations/",
        "/api/v1/register/",
    ):
        assert path in paths
    assert schema["components"]["securitySchemes"]["tokenAuth"]["scheme"] == "bearer"
    assert {"tokenAuth": []} in schema["paths"]["/api/v1/projects/"]["get"]["security"]
    # The register is public: no token asked for.
    assert not schema["paths"]["/api/v1/register/"]["get"].get("security")


def test_the_docs_page_loads_swagger_ui_from_our_own_static_files(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    scripts = re.findall(r'<script[^>]*src="([^"]+)"', html)
    assert scripts and all(src.startswith("/") and not src.startswith("//") for src in scripts)
    assert any("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in s for s in scripts)
    assert "<script>" not in html and "<style>" not in html  # nothing inline for the CSP to block
    init = client.get("/api/docs/?script=")
    assert init.status_code == 200
    assert "/api/schema/" in init.content.decode()
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp


@pytest.fixture
def _keep_test_connection():
    """The WSGI handler closes the database connection after each request (Django's test
    client stops it doing so); the test's transaction must survive every request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(_keep_test_connection, active, partnership_lead):
    schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    schema.api_state = {
        "project": active,
        "token": make_token(partnership_lead, scope="write"),
    }
    return schema


CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]


def _steer(case, project):
    """Swap about half the generated ids for the real project, so each operation is tried on
    something that exists as well as on ids nobody can see."""
    params = case.path_parameters or {}
    if isinstance(params.get("id"), int) and params["id"] % 2 == 0:
        params["id"] = project.pk
    if isinstance(params.get("number"), int) and params["number"] % 2 == 0:
        params["number"] = 1
    if "reference" in params and len(str(params["reference"])) % 2 == 0:
        params["reference"] = project.reference


def test_no_server_error_and_responses_match_the_schema(api_schema):
    """Every operation, a few generated examples each (valid and invalid input)."""
    project, token = api_schema.api_state["project"], api_schema.api_state["token"]
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 20

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=6,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            _steer(case, project)
            response = case.call(headers={"Authorization": f"Bearer {token}"})
            case.validate_response(response, checks=CHECKS)

        check()
