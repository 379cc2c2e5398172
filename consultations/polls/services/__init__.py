"""Use cases of a poll, split by use case: ``lifecycle`` (initiators R28, questions and dates
frozen once voting opens R29, moderation, the calendar, results) and ``participation``
(eligibility and one ballot per person R30, moderation of free texts R31); ``common`` holds
what both use. Each runs in a transaction, checks the workflow (``workflow.check``), writes an
immutable ``PollEvent`` with its domain event and queues notifications (through the outbox,
delivered after commit). Import from here: ``from consultations.polls import services``."""

# The errors callers catch are importable from here too.
from consultations.eligibility import NotEligible  # noqa: F401
from edem.core.workflow import TransitionNotAllowed  # noqa: F401

from .common import (  # noqa: F401
    MAX_OPTIONS,
    MAX_TEXT_ANSWER,
    BallotInvalid,
    max_days,
    min_days,
    participants,
    record,
)
from .lifecycle import (  # noqa: F401
    POLL_FIELDS,
    advance_by_date,
    approve,
    create_poll,
    delete_question,
    propose_poll,
    publish_results,
    refuse,
    save_question,
    schedule,
    terminate,
    update_poll,
)
from .participation import (  # noqa: F401
    ballot_of,
    ballot_refusal,
    cast_ballot,
    moderate_text,
    validate_answers,
)
