"""Property-based run over the API (issue 17): Schemathesis against the OpenAPI schema of drf-spectacular.

Every operation of /api/schema/ is called with generated valid and invalid parameters and bodies,
through the WSGI application (no server), as a bureau administrator logged in by session (so the
test does not depend on how API tokens are made). Each response must

* not be a server error (5xx),
* have a status code the schema declares for the operation,
* have the declared content type and, for JSON, match the declared response schema
  (nullable fields declared nullable, dates and times in their declared format).

Fixed seed (derandomize) and few examples per operation, so CI runs the same cases every time in a
bounded time; SCHEMATHESIS_EXAMPLES raises the count for a deeper local run. The writes happen in
the test's transaction and are rolled back.
"""
from __future__ import annotations

import os

import pytest
import schemathesis
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance, response_schema_conformance, status_code_conformance,
)

from changqing.wsgi import application

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "4"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

_session: dict[str, str] = {}  # the logged-in session of the running test (set by the fixture below)


def logged_in(environ, start_response):
    """The WSGI application with the test's session on every request, over any generated credentials.

    Generated requests carry random values for the schema's security schemes (a sessionid cookie,
    an Authorization header); the test means to call as the administrator, so those are replaced.
    """
    if not _session and environ.get("PATH_INFO") == "/api/schema/":
        # Loading the schema at collection: /api/schema/ needs a login and there is no database yet, so the
        # same document is generated directly (drf-spectacular's generator, hooks included).
        from drf_spectacular.generators import SchemaGenerator
        from drf_spectacular.renderers import OpenApiJsonRenderer

        body = OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True))
        start_response("200 OK", [("Content-Type", "application/json")])
        return [body]
    if _session:
        environ["HTTP_COOKIE"] = f"sessionid={_session['sessionid']}; csrftoken={_session['csrftoken']}"
        environ["HTTP_X_CSRFTOKEN"] = _session["csrftoken"]
        environ.pop("HTTP_AUTHORIZATION", None)
    return application(environ, start_response)


schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", logged_in)


@pytest.fixture
def admin_session(bureau_admin, tree):
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    client = Client()
    client.force_login(bureau_admin)
    _session.update(sessionid=client.cookies["sessionid"].value, csrftoken=_get_new_csrf_string())
    # The WSGI handler closes "old" connections around each request; here that is the test's own
    # connection, holding its transaction. Django's test client does the same (django.test.client).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        _session.clear()


@schema.parametrize()
@hypothesis_settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                     phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case, admin_session):
    case.call_and_validate(checks=CHECKS)
