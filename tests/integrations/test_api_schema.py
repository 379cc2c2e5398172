"""The EDMS API's OpenAPI schema: it validates (drf-spectacular's own validation against the
OpenAPI 3 meta-schema), and every documented operation is exercised against it with
schemathesis over the WSGI application (in process, the test's database): generated inputs
(bounded examples, derandomised so the suite is repeatable) and, for each operation, a call
with real data. Each response must be documented (status, content type) and match its schema,
and no input may cause a 5xx."""

import json

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from drf_spectacular.validation import validate_schema
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from appeals import services
from appeals.models import Attachment
from cabinets.roles import Role
from edem.documents.pdf import html_to_pdf
from tests.factories import AppealFactory, member

from .api_helpers import register_client

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
RAW = json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(public=True)))
SCHEMA = schemathesis.openapi.from_dict(RAW)


def _closing(app):
    """The application as a WSGI server runs it: the body read whole, then the response
    closed (a file sent is closed there, and ``request_finished`` is sent)."""

    def wsgi(environ, start_response):
        result = app(environ, start_response)
        try:
            return [b"".join(result)]
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()

    return wsgi


SCHEMA.app = _closing(get_wsgi_application())
# The reference page and the schema itself are not operations of the API.
OPERATIONS = sorted(
    (path, method.upper())
    for path, item in RAW["paths"].items()
    for method in item
    if method in ("get", "post", "put", "patch", "delete")
)


def test_the_schema_validates():
    validate_schema(RAW)
    assert ("/api/v1/appeals/", "GET") in OPERATIONS and len(OPERATIONS) == 8


@pytest.fixture
def in_process():
    """The WSGI handler closes the database connection after each request (Django's test
    client stops it from doing so, and so do we): the test's transaction must survive."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def world(db, in_process):
    """A head's client with a registered appeal, a scan, a signed answer's letter."""
    cache.clear()
    client, token = register_client(role=Role.HEAD, rate_limit=100000)
    cabinet = client.cabinets.get()
    appeal = services.register(appeal=AppealFactory(cabinet=cabinet), actor=client.acts_as)
    item = Attachment.objects.create(
        appeal=appeal,
        file=ContentFile(b"%PDF-1.4 scan", name="scan.pdf"),
        original_name="scan.pdf",
        content_type="application/pdf",
        size=13,
        sha256="0" * 64,
    )
    answer = appeal.answers.create(text="Ответ", drafted_by=client.acts_as)
    answer.letter.save("letter.pdf", ContentFile(b"%PDF-1.4 letter"), save=True)
    executor = member(cabinet, Role.EXECUTOR)
    return {
        "token": token,
        "cabinet": cabinet,
        "appeal": appeal,
        "attachment": item,
        "answer": answer,
        "executor": executor,
    }


@SCHEMA.parametrize()
@settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_generated_inputs_get_documented_answers(case, world):
    case.call_and_validate(headers={"Authorization": f"Bearer {world['token']}"}, checks=CHECKS)


def _real_case(path, method, world):
    appeal = world["appeal"]
    operation = SCHEMA[path][method]
    ids = {
        "id": appeal.pk,
        "attachment_pk": world["attachment"].pk,
        "answer_pk": world["answer"].pk,
        "action": "assign",
    }
    path_parameters = {k: v for k, v in ids.items() if "{" + k + "}" in path}
    if path == "/api/v1/appeals/" and method == "POST":
        body = {
            "cabinet": world["cabinet"].code,
            "channel": "post",
            "received_on": appeal.received_at.date().isoformat(),
            "kind": "statement",
            "subject": "Ремонт крыши",
            "text": "Протекает крыша.",
            "last_name": "Сидоров",
            "first_name": "Иван",
            "postal_address": "Демоград",
            "answer_channel": "post",
        }
        return operation.Case(body=body, media_type="application/json")
    if path.endswith("/actions/{action}/"):
        return operation.Case(
            path_parameters=path_parameters,
            body={"executor": world["executor"].pk},
            media_type="application/json",
        )
    if path.endswith("/documents/"):
        return operation.Case(
            path_parameters=path_parameters,
            body={"files": [html_to_pdf("<p>Подписанный ответ</p>")], "note": "из СЭД"},
            media_type="multipart/form-data",
        )
    query = {"status": "open", "page_size": 5} if path == "/api/v1/appeals/" else None
    return operation.Case(path_parameters=path_parameters, query=query)


@pytest.mark.parametrize(("path", "method"), OPERATIONS)
def test_every_operation_with_real_data_matches_the_schema(path, method, world):
    case = _real_case(path, method, world)
    response = case.call_and_validate(
        headers={"Authorization": f"Bearer {world['token']}"}, checks=CHECKS
    )
    assert response.status_code < 400, (path, method, response.status_code, response.text[:500])
