"""Open311 GeoReport v2 at /open311/v2/: every endpoint in JSON and XML against the spec's
field lists, filing through the portal's services (R2), and no personal data anywhere."""

import json
import re
from datetime import timedelta
from xml.etree import ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from appeals.models import Appeal, Category
from appeals.problems.models import PublicProblem
from integrations.models import Open311Client
from tests.appeals.problems.helpers import personal_appeal, personal_values, photo, public_appeal
from tests.factories import CabinetFactory, UserFactory

pytestmark = pytest.mark.django_db

# The field lists of GeoReport v2 (http://wiki.open311.org/GeoReport_v2), written out here so
# that the test checks the spec, not the code.
DISCOVERY_FIELDS = {"changeset", "contact", "key_service", "endpoints"}
ENDPOINT_FIELDS = {"specification", "url", "changeset", "type", "formats"}
SERVICE_FIELDS = {
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
}
DEFINITION_FIELDS = {"service_code", "attributes"}
ATTRIBUTE_FIELDS = {
    "variable",
    "code",
    "datatype",
    "required",
    "datatype_description",
    "order",
    "description",
    "values",
}
VALUE_FIELDS = {"key", "name"}
DATATYPES = {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}
REQUEST_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}
POST_RESPONSE_FIELDS = {"service_request_id", "service_notice", "account_id"}
TOKEN_FIELDS = {"service_request_id", "token"}
ERROR_FIELDS = {"code", "description"}


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def get(client, name, fmt, *args, **params):
    response = client.get(reverse(f"open311:{name}", kwargs={"fmt": fmt, **dict(args)}), params)
    return response


def parse(response, fmt):
    if fmt == "json":
        assert response["Content-Type"].startswith("application/json")
        return json.loads(response.content)
    assert response["Content-Type"].startswith("text/xml")
    return ET.fromstring(response.content)  # noqa: S314 — our own response, in a test


def children(element):
    return {child.tag for child in element}


@pytest.fixture
def category():
    parent = Category.objects.create(name="Дороги")
    return Category.objects.create(name="Ямы", parent=parent)


@pytest.fixture
def problem(category):
    appeal = personal_appeal(status="registered")
    appeal.category = category
    appeal.control_due = timezone.localdate() + timedelta(days=20)
    appeal.save()
    from tests.helpers import appeal_changed

    appeal_changed(appeal)
    return appeal


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_discovery_has_the_spec_fields(client, fmt):
    data = parse(get(client, "discovery", fmt), fmt)
    if fmt == "json":
        assert set(data) == DISCOVERY_FIELDS
        assert set(data["endpoints"][0]) == ENDPOINT_FIELDS
        assert "application/json" in data["endpoints"][0]["formats"]
    else:
        assert data.tag == "discovery" and children(data) == DISCOVERY_FIELDS
        endpoint = data.find("endpoints/endpoint")
        assert children(endpoint) == ENDPOINT_FIELDS
        assert "text/xml" in [f.text for f in endpoint.findall("formats/format")]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_services_and_definition_have_the_spec_fields(client, category, fmt):
    Category.objects.create(name="Старая", is_active=False)
    data = parse(get(client, "services", fmt), fmt)
    if fmt == "json":
        assert [s["service_code"] for s in data] == [str(category.pk)]  # leaves, active only
        assert set(data[0]) == SERVICE_FIELDS
        assert data[0]["group"] == "Дороги" and data[0]["metadata"] is True
    else:
        assert data.tag == "services"
        (service,) = data.findall("service")
        assert children(service) == SERVICE_FIELDS
        assert service.findtext("service_code") == str(category.pk)
    definition = parse(get(client, "service", fmt, ("code", category.pk)), fmt)
    if fmt == "json":
        assert set(definition) == DEFINITION_FIELDS
        for attribute in definition["attributes"]:
            assert set(attribute) == ATTRIBUTE_FIELDS
            assert attribute["datatype"] in DATATYPES
            assert all(set(v) == VALUE_FIELDS for v in attribute["values"])
    else:
        assert definition.tag == "service_definition"
        assert children(definition) == DEFINITION_FIELDS
        for attribute in definition.findall("attributes/attribute"):
            assert children(attribute) == ATTRIBUTE_FIELDS
            assert attribute.findtext("datatype") in DATATYPES
            assert all(children(v) == VALUE_FIELDS for v in attribute.findall("values/value"))


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_service_is_a_spec_error(client, fmt):
    response = get(client, "service", fmt, ("code", "999999"))
    assert response.status_code == 404
    data = parse(response, fmt)
    if fmt == "json":
        assert [set(e) for e in data] == [ERROR_FIELDS] and data[0]["code"] == 404
    else:
        assert data.tag == "errors" and children(data.find("error")) == ERROR_FIELDS


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_requests_have_the_spec_fields_and_no_personal_data(client, problem, fmt):
    hidden = public_appeal(is_public=False, subject="Скрытая")
    shown_photo = photo(problem)
    response = get(client, "requests", fmt)
    assert response.status_code == 200
    body = response.content.decode()
    for secret in personal_values(problem):
        assert secret not in body
    data = parse(response, fmt)
    if fmt == "json":
        (request,) = data
        assert set(request) == REQUEST_FIELDS
    else:
        assert data.tag == "service_requests"
        (element,) = data.findall("request")
        assert children(element) == REQUEST_FIELDS
        request = {child.tag: child.text or "" for child in element}
    assert request["service_request_id"] == str(problem.pk) != str(hidden.pk)
    assert request["status"] == "open"
    assert request["status_notes"]
    assert request["service_code"] == str(problem.category_id)
    expected = problem.control_due.isoformat()
    assert request["expected_datetime"].startswith(expected)
    assert request["media_url"].endswith(
        reverse("problems:photo", args=[problem.pk, shown_photo.pk])
    )
    detail = parse(get(client, "request", fmt, ("pk", problem.pk)), fmt)
    assert (
        detail[0]["service_request_id"]
        if fmt == "json"
        else detail[0].findtext("service_request_id")
    ) == str(problem.pk)
    assert get(client, "request", fmt, ("pk", hidden.pk)).status_code == 404


def test_requests_filters(client, category):
    now = timezone.now()
    a = public_appeal(status="in_work", category=category)
    b = public_appeal(status="answered")
    old = public_appeal(status="registered")
    PublicProblem.objects.filter(pk=old.pk).update(received_at=now - timedelta(days=200))

    def ids(**params):
        response = client.get(reverse("open311:requests", kwargs={"fmt": "json"}), params)
        assert response.status_code == 200, response.content
        return {int(r["service_request_id"]) for r in response.json()}

    assert ids() == {a.pk, b.pk}  # the last 90 days by default
    assert ids(status="open") == {a.pk}
    assert ids(status="closed") == {b.pk}
    assert ids(service_code=str(category.pk)) == {a.pk}
    start = (now - timedelta(days=365)).isoformat()
    assert ids(start_date=start) == {a.pk, b.pk, old.pk}
    assert ids(start_date=start, end_date=(now - timedelta(days=100)).isoformat()) == {old.pk}
    assert ids(service_request_id=f"{old.pk},{b.pk}") == {old.pk, b.pk}
    assert len(ids(start_date=start, page_size="2")) == 2
    assert len(ids(start_date=start, page_size="2", page="2")) == 1
    bad = client.get(reverse("open311:requests", kwargs={"fmt": "json"}), {"status": "x"})
    assert bad.status_code == 400 and bad.json()[0]["code"] == 400


def test_requests_pages_neither_overlap_nor_lose_a_request_and_keep_the_filters(
    client, django_assert_num_queries, category
):
    """Paged with ``page``/``page_size`` (our extension): the pages of a filtered list, read in
    turn, are the whole list once, in its order (newest first, the id breaking a tie)."""
    now = timezone.now().replace(microsecond=0)
    other = Category.objects.create(name="Свет")
    wanted = []
    for n in range(7):
        appeal = public_appeal(status="in_work" if n % 3 else "registered", category=category)
        wanted.append(appeal.pk)
        # Two by two on the same moment: the order must not depend on the row's place.
        PublicProblem.objects.filter(pk=appeal.pk).update(received_at=now - timedelta(hours=n // 2))
    public_appeal(status="answered", category=category)  # closed
    public_appeal(status="in_work", category=other)  # another service
    public_appeal(status="in_work", category=category, is_public=False)  # not public

    def page(number):
        response = client.get(
            reverse("open311:requests", kwargs={"fmt": "json"}),
            {"status": "open", "service_code": str(category.pk), "page_size": "3", "page": number},
        )
        assert response.status_code == 200, response.content
        return [int(r["service_request_id"]) for r in response.json()]

    with django_assert_num_queries(2):  # the page, and its photos
        first = page(1)
    pages = [first, page(2), page(3), page(4)]
    assert [len(p) for p in pages] == [3, 3, 1, 0]
    listed = [pk for p in pages for pk in p]
    newest_first = sorted(
        wanted,
        key=lambda pk: (PublicProblem.objects.get(pk=pk).received_at, pk),
        reverse=True,
    )
    assert listed == newest_first


def client_key(**fields):
    client = Open311Client(name="Городское приложение", **fields)
    key = client.new_key()
    client.save()
    return client, key


def post(client, fmt="json", **params):
    return client.post(reverse("open311:requests", kwargs={"fmt": fmt}), params)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_files_an_appeal_through_the_services(
    client, category, citizen, fmt, django_capture_on_commit_callbacks
):
    CabinetFactory(kind="administration")
    app, key = client_key(identifies_citizens=True)
    with django_capture_on_commit_callbacks(execute=True):  # the projection, after commit
        response = post(
            client,
            fmt,
            api_key=key,
            service_code=str(category.pk),
            lat="56.005",
            long="38.005",
            address_string="ул. Садовая, 1",
            email=citizen.email.upper(),
            description="Глубокая яма у подъезда.",
            media_url="https://example.org/photo.jpg",
            **{"attribute[kind]": "proposal"},
        )
    assert response.status_code == 201, response.content
    data = parse(response, fmt)
    if fmt == "json":
        assert set(data[0]) >= POST_RESPONSE_FIELDS
        pk = int(data[0]["service_request_id"])
        token = data[0]["token"]
    else:
        assert children(data.find("request")) >= POST_RESPONSE_FIELDS
        pk = int(data.find("request/service_request_id").text)
        token = data.find("request/token").text
    appeal = Appeal.objects.get(pk=pk)
    assert appeal.author == citizen and appeal.kind == "proposal"
    assert appeal.category == category and appeal.is_public
    assert appeal.status == "registered" and appeal.number  # registered on receipt (R4)
    assert appeal.events.filter(action="receive").exists()
    assert "https://example.org/photo.jpg" in appeal.text
    app.refresh_from_db()
    assert app.last_used_at is not None
    shown = parse(get(client, "token", fmt, ("token", token)), fmt)
    if fmt == "json":
        assert set(shown[0]) == TOKEN_FIELDS and shown[0]["service_request_id"] == str(pk)
    else:
        assert children(shown.find("request")) == TOKEN_FIELDS
    listed = get(client, "request", "json", ("pk", pk)).json()
    assert citizen.email not in json.dumps(listed, ensure_ascii=False)
    assert citizen.last_name not in json.dumps(listed, ensure_ascii=False)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_R2_open311_post_for_an_unverified_person_is_refused_with_the_spec_error(
    client, category, fmt
):
    CabinetFactory(kind="administration")
    _app, key = client_key(identifies_citizens=True)
    unverified = UserFactory(verification_level="email")
    response = post(
        client,
        fmt,
        api_key=key,
        service_code=str(category.pk),
        lat="56.005",
        long="38.005",
        email=unverified.email,
        description="Яма.",
    )
    assert response.status_code == 403
    data = parse(response, fmt)
    if fmt == "json":
        assert [set(e) for e in data] == [ERROR_FIELDS] and data[0]["code"] == 403
        assert "Confirm your identity" in data[0]["description"]  # the form's own reason
    else:
        assert data.tag == "errors" and data.find("error/code").text == "403"
    assert not Appeal.objects.exists()


def test_R2_open311_post_refused_without_an_identifying_client_or_a_key(client, category, citizen):
    CabinetFactory(kind="administration")
    fields = {
        "service_code": str(category.pk),
        "lat": "56.005",
        "long": "38.005",
        "email": citizen.email,
        "description": "Яма.",
    }
    assert post(client, **fields).status_code == 403  # no key
    assert post(client, api_key="wrong", **fields).status_code == 403
    _app, key = client_key(identifies_citizens=False)
    refused = post(client, api_key=key, **fields)
    assert refused.status_code == 403 and refused.json()[0]["code"] == 403
    _off, off_key = client_key(identifies_citizens=True, is_active=False)
    assert post(client, api_key=off_key, **fields).status_code == 403
    _ok, ok_key = client_key(identifies_citizens=True)
    unknown = post(client, api_key=ok_key, **{**fields, "email": "nobody@example.org"})
    assert unknown.status_code == 403
    missing = post(client, api_key=ok_key, **{**fields, "lat": "", "long": ""})
    assert missing.status_code == 400 and missing.json()[0]["code"] == 400
    assert not Appeal.objects.exists()


def test_key_is_stored_hashed():
    client, key = client_key()
    assert key not in (client.key_hash, client.key_prefix * 2)
    assert Open311Client.objects.by_key(key) == client
    assert Open311Client.objects.by_key(key + "x") is None


def test_the_admin_shows_a_new_api_key_once_on_its_own_page_never_in_a_message(admin_client):
    """An Open311 key is shown on the page that answers the save (or the new-key action),
    never put into a message (the messages' cookie would carry it), and works; only its hash
    is kept, and a new key stops the old one."""
    from django.contrib.messages import get_messages

    def shown(response):
        assert response.status_code == 200 and "no-store" in response["Cache-Control"]
        assert not list(get_messages(response.wsgi_request))
        return re.search(r'<code translate="no">([^<]+)</code>', response.content.decode())[1]

    response = admin_client.post(
        "/admin/integrations/open311client/add/",
        {"name": "Городское приложение", "is_active": "on"},
    )
    key = shown(response)
    client = Open311Client.objects.get()
    assert Open311Client.objects.by_key(key) == client and key not in client.key_hash
    listing = admin_client.get("/admin/integrations/open311client/").content.decode()
    assert key not in listing and client.key_prefix in listing
    response = admin_client.post(
        "/admin/integrations/open311client/",
        {"action": "issue_new_key", "_selected_action": [client.pk]},
    )
    new = shown(response)
    assert new != key and Open311Client.objects.by_key(key) is None
    assert Open311Client.objects.by_key(new) == client
