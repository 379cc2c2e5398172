"""Files sent with a form that may come back with errors: the ones kept from an earlier try
(minus those the user removed) plus this request's, each checked on the way in."""

from django.utils.translation import gettext as _

from edem.core.uploads import MAX_FILES, UploadRefused

from . import services
from .forms import parse_ids


def collect_uploads(request, *, field, remove_field, content_types=None, pending_field="pending"):
    """The pending attachments for this form and the refusals to show beside the field:
    ``field`` names the file input, ``remove_field`` the boxes that drop a kept file, and
    ``content_types`` narrows what is accepted (scans), ``pending_field`` names the hidden input
    of the kept ones. Returns (attachments, messages)."""
    removed = set(parse_ids(",".join(request.POST.getlist(remove_field))))
    pending = [
        a
        for a in services.pending_uploads(request.user, parse_ids(request.POST.get(pending_field)))
        if a.pk not in removed
    ]
    errors = []
    for upload in request.FILES.getlist(field):
        if len(pending) >= MAX_FILES:
            errors.append(
                _("At most 10 files can be attached; “%(name)s” was not.") % {"name": upload.name}
            )
            continue
        try:
            pending.append(
                services.store_upload(
                    upload=upload, actor=request.user, content_types=content_types
                )
            )
        except UploadRefused as exc:
            errors.append(str(exc))
    return pending, errors
