"""Use cases of a discussion of a draft act, split by use case: ``lifecycle`` (creating, shaping,
moderating the discussion itself, the calendar, the outcome) and ``participation`` (comments,
proposals, supports, and the official's decisions on them); ``common`` holds what both use.
Each runs in a transaction, checks the workflow (``workflow.check``), writes an immutable
``DiscussionEvent`` with its domain event and queues notifications through the outbox
(``edem.notifications.services.notify``), delivered after commit. Import from here: ``from
consultations.discussions import services``."""

from .common import (  # noqa: F401
    InitiatorRules,
    initiation_refusal,
    move,
    participants,
    record,
    send,
)
from .lifecycle import (  # noqa: F401
    EDITABLE_FIELDS,
    add_version,
    approve,
    attach_final_text,
    complete,
    create_discussion,
    propose_discussion,
    publish_results,
    reject,
    run_calendar,
    start,
    store_version,
    submit,
    terminate,
    update_discussion,
)
from .participation import (  # noqa: F401
    MAX_COMMENT_CHARS,
    add_comment,
    decide,
    hide_comment,
    restore_comment,
    support,
    undecided,
)
