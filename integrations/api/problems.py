"""Every error of the API as an RFC 9457 problem: ``application/problem+json`` with ``type``,
``title``, ``status``, ``detail`` (and ``errors`` per field for invalid input). A refusal of the
workflow or of a service (``TransitionNotAllowed`` and its subclasses) is the very sentence the
screen shows, in the language the client asked for (``Accept-Language``), with 409."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from edem.core.uploads import UploadRefused
from edem.core.workflow import TransitionNotAllowed

PROBLEM_TYPE = "/api/docs/#problem-"
CONTENT_TYPE = "application/problem+json"

TITLES = {
    400: _("Bad request"),
    401: _("Not authenticated"),
    403: _("Forbidden"),
    404: _("Not found"),
    405: _("Method not allowed"),
    406: _("Not acceptable"),
    409: _("Refused by the rules"),
    413: _("Request too large"),
    415: _("Unsupported media type"),
    422: _("Invalid input"),
    429: _("Too many requests"),
    500: _("Server error"),
}


class ProblemJSONRenderer(JSONRenderer):
    """Lets a client that accepts only ``application/problem+json`` get its errors."""

    media_type = CONTENT_TYPE


class Refused(exceptions.APIException):
    """A rule refused the operation: 409 with the reason the screen shows."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "refused"


class Invalid(exceptions.APIException):
    """The input does not pass the screen's form: 422 with ``errors`` per field."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "invalid"

    def __init__(self, errors, detail=None):
        self.errors = errors
        super().__init__(detail or _("The input is not valid; see “errors”."))


def problem(status_code, detail, *, code=None, errors=None, headers=None):
    """The problem response itself (also used outside exceptions, e.g. an idempotency replay
    mismatch)."""
    body = {
        "type": PROBLEM_TYPE + (code or str(status_code)),
        "title": str(TITLES.get(status_code, TITLES[400 if status_code < 500 else 500])),
        "status": status_code,
        "detail": str(detail),
    }
    if errors:
        body["errors"] = errors
    return Response(body, status=status_code, headers=headers, content_type=CONTENT_TYPE)


def form_errors(form):
    """A Django form's errors as ``{"field": ["message", ...]}`` (``non_field_errors`` for the
    form's own), the messages the screen shows beside each field."""
    return {
        ("non_field_errors" if field == "__all__" else field): [str(m) for m in messages]
        for field, messages in form.errors.items()
    }


def _flatten(detail):
    if isinstance(detail, dict):
        return {key: _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [
            str(item) if not isinstance(item, dict | list) else _flatten(item) for item in detail
        ]
    return [str(detail)]


def exception_handler(exc, context):
    if isinstance(exc, TransitionNotAllowed):
        exc = Refused(str(exc) or _("Refused."))
    elif isinstance(exc, UploadRefused):
        exc = Invalid({"file": [str(exc)]}, detail=str(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None  # a bug: Django's 500 (logged), never a traceback to the client
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    errors = getattr(exc, "errors", None)
    detail = exc.detail
    if isinstance(exc, exceptions.ValidationError):
        errors = (
            _flatten(detail) if isinstance(detail, dict) else {"non_field_errors": _flatten(detail)}
        )
        detail = _("The input is not valid; see “errors”.")
        status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    else:
        status_code = exc.status_code
    if isinstance(exc, exceptions.Throttled):
        detail = _("Too many calls; try again in %(seconds)s seconds.") % {
            "seconds": int(exc.wait or 60)
        }
    code = exc.get_codes() if not isinstance(exc.get_codes(), dict | list) else "invalid"
    return problem(status_code, detail, code=str(code), errors=errors, headers=headers)
