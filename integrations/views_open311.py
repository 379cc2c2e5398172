"""Open311 GeoReport v2 endpoints (mounted at /open311/v2/): thin views over ``open311``, each
answering in JSON or XML by the suffix, errors in the spec's format."""

import json
from xml.etree import ElementTree as ET

from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from . import open311
from .models import Open311Client

# XML: the element of each item of a list, by the list's name (the spec's examples).
ITEMS = {
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
}


def _xml_value(parent, name, value):
    element = ET.SubElement(parent, name)
    if isinstance(value, dict):
        for key, item in value.items():
            _xml_value(element, key, item)
    elif isinstance(value, list):
        for item in value:
            _xml_value(element, ITEMS.get(name, "item"), item)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)


def to_xml(root, item, data):
    element = ET.Element(root)
    if isinstance(data, list):
        for entry in data:
            _xml_value(element, item, entry)
    else:
        for key, value in data.items():
            _xml_value(element, key, value)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(element, encoding="utf-8")


def render(fmt, root, item, data, status=200):
    if fmt == "xml":
        body, content_type = to_xml(root, item, data), "text/xml; charset=utf-8"
    else:
        body = json.dumps(data, ensure_ascii=False)
        content_type = "application/json; charset=utf-8"
    response = HttpResponse(body, content_type=content_type, status=status)
    response["Access-Control-Allow-Origin"] = "*"
    return response


def error(fmt, exc):
    data = [{"code": exc.code, "description": exc.description}]
    return render(fmt, "errors", "error", data, status=exc.code)


def answer(fmt, root, item, produce):
    try:
        return render(fmt, root, item, produce())
    except open311.Open311Error as exc:
        return error(fmt, exc)


@require_GET
def root(request):
    return redirect("open311:discovery", fmt="json")


@require_GET
def discovery(request, fmt):
    return answer(fmt, "discovery", None, open311.discovery)


@require_GET
def services(request, fmt):
    def produce():
        open311.check_jurisdiction(request.GET.get("jurisdiction_id"))
        return open311.services()

    return answer(fmt, "services", "service", produce)


@require_GET
def service_definition(request, code, fmt):
    def produce():
        open311.check_jurisdiction(request.GET.get("jurisdiction_id"))
        return open311.service_definition(code)

    return answer(fmt, "service_definition", None, produce)


@csrf_exempt  # an application's call, authenticated by its api_key, not a browser's form
@require_http_methods(["GET", "POST"])
def requests(request, fmt):
    if request.method == "POST":
        params = request.POST

        def produce():
            open311.check_jurisdiction(params.get("jurisdiction_id"))
            client = Open311Client.objects.by_key(params.get("api_key"))
            return open311.file_request(client=client, params=params)

        try:
            return render(fmt, "service_requests", "request", produce(), status=201)
        except open311.Open311Error as exc:
            return error(fmt, exc)

    def produce():
        open311.check_jurisdiction(request.GET.get("jurisdiction_id"))
        return open311.request_list(open311.parse_query(request.GET))

    return answer(fmt, "service_requests", "request", produce)


@require_GET
def request_detail(request, pk, fmt):
    def produce():
        open311.check_jurisdiction(request.GET.get("jurisdiction_id"))
        return open311.request_detail(pk)

    return answer(fmt, "service_requests", "request", produce)


@require_GET
def token(request, token, fmt):
    def produce():
        open311.check_jurisdiction(request.GET.get("jurisdiction_id"))
        return open311.token_lookup(token)

    return answer(fmt, "service_requests", "request", produce)
