"""Use cases that change an appeal, one function each. Each runs in a transaction, checks the
workflow (``workflow.check``) and the actor's permission, writes an immutable ``AppealEvent``
with its domain event (``_common.record``) and queues the citizen's notices after commit.
Split by sub-domain; import from here:
``from appeals import services; services.register(appeal=..., actor=...)``. The private
``_common`` module holds what the use cases share; nothing outside the package imports it.
"""

from ._common import log_access  # noqa: F401
from .answers import (  # noqa: F401
    REOPEN_DAYS,
    draft_answer,
    rate_answer,
    reopen,
    reopen_by_head,
    sign_answer,
)
from .casefile import (  # noqa: F401
    MAX_COSIGNERS,
    add_documents,
    add_note,
    confirm_cosign,
    invite_cosigners,
    record_request_posted,
    send_external_request,
)
from .delivery import form_mail_batch, mark_mail_batch_sent  # noqa: F401
from .external_mail import (  # noqa: F401
    file_external_reply,
    record_external_letter,
    record_external_reply,
    record_mail_bounce,
)
from .filing import (  # noqa: F401
    ENTERED_CHANNELS,
    SCAN_TYPES,
    FilingRefused,
    add_materials,
    check_organisation,
    check_respondents,
    enter_paper_appeal,
    file_appeal,
    pending_uploads,
    required_fields,
    store_upload,
)
from .information import defer_information  # noqa: F401
from .outcomes import (  # noqa: F401
    close_no_merits,
    forward,
    merge,
    return_with_explanation,
)
from .registration import (  # noqa: F401
    assign,
    extend,
    next_number,
    number_scheme,
    reclassify,
    register,
    route,
    set_receipt_deadlines,
    withdraw,
)
