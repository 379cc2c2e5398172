"""``Idempotency-Key`` on the API's writes: the same key from the same client replays the
first response (``Idempotent-Replayed: true``) instead of writing twice; the same key with a
different request is refused (422). Like the screens' forms (``edem.core.idempotency``), the
key is claimed in the write's own transaction: a second request that arrives while the first
runs waits on the unique index and then replays its result; a write that fails (refused,
invalid) rolls its claim back, and the key may be sent again."""

import hashlib
import json
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.response import Response

from integrations.models import ApiIdempotencyKey

from .problems import problem

HEADER = "Idempotency-Key"
MAX_LENGTH = 255
REPLAYED_HEADERS = ("Location",)


def fingerprint(request):
    """What makes two requests "the same": method, path and the parsed body (files by their
    content), independent of key order and multipart boundaries."""
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    data = request.data
    if hasattr(data, "lists"):
        data = {key: values for key, values in sorted(data.lists()) if key not in request.FILES}
    digest.update(json.dumps(data, sort_keys=True, default=str).encode())
    for name in sorted(request.FILES):
        for upload in request.FILES.getlist(name):
            content = hashlib.sha256()
            for chunk in upload.chunks():
                content.update(chunk)
            upload.seek(0)
            digest.update(f"\n{name}:{upload.name}:{content.hexdigest()}".encode())
    return digest.hexdigest()


def _replay(stored):
    replayed = Response(stored.response, status=stored.status, headers=stored.headers)
    replayed["Idempotent-Replayed"] = "true"
    return replayed


def idempotent(method):
    """Wrap a write's handler (``post(self, request, ...)``): see the module's docstring."""

    @wraps(method)
    def handler(view, request, *args, **kwargs):
        key = request.headers.get(HEADER, "").strip()
        if not key:
            return method(view, request, *args, **kwargs)
        if len(key) > MAX_LENGTH:
            return problem(
                422,
                _("The Idempotency-Key is longer than %(n)d characters.") % {"n": MAX_LENGTH},
                code="idempotency-key",
            )
        client, print_ = request.auth, fingerprint(request)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    claim = ApiIdempotencyKey.objects.create(
                        client=client, key=key, fingerprint=print_
                    )
            except IntegrityError:
                # Sent before (and committed; a request still running holds the index until
                # it ends, so we waited for it).
                stored = ApiIdempotencyKey.objects.get(client=client, key=key)
                if stored.fingerprint != print_:
                    return problem(
                        422,
                        _(
                            "This Idempotency-Key was used for a different request; send a "
                            "new key for a new request."
                        ),
                        code="idempotency-mismatch",
                    )
                return _replay(stored)
            response = method(view, request, *args, **kwargs)
            if response.status_code >= 400:
                transaction.set_rollback(True)  # nothing written: the key stays usable
                return response
            claim.status = response.status_code
            claim.response = response.data
            claim.headers = {h: response[h] for h in REPLAYED_HEADERS if response.has_header(h)}
            claim.save(update_fields=["status", "response", "headers"])
        return response

    return handler


def purge(now=None):
    """Forget keys older than ``EDEM_API_IDEMPOTENCY_DAYS``; returns how many."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.EDEM_API_IDEMPOTENCY_DAYS)
    deleted, _per_model = ApiIdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
