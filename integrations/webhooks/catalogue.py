"""The webhook event types a client can subscribe to, and the domain event each comes from.

Appeals: one type per use case of ``edem.core.events`` (the event's class says which).
Consultations: every history line of a petition, poll or budget cycle publishes
``ConsultationChanged`` with its instrument and action; the milestones among them are listed
here, the other lines (drafts, edits, moderation of texts) are no webhook.
"""

from django.utils.translation import gettext_lazy as _

from edem.core.events import (
    AppealAnswered,
    AppealAssigned,
    AppealChanged,
    AppealClosedWithoutAnswer,
    AppealDeadlineExtended,
    AppealFiled,
    AppealForwarded,
    AppealRegistered,
    ConsultationChanged,
)

# Webhook type -> its label (the admin's checkboxes), in the order shown.
EVENT_TYPES = {
    "appeal.received": _("Appeal received"),
    "appeal.registered": _("Appeal registered"),
    "appeal.forwarded": _("Appeal forwarded to another body"),
    "appeal.assigned": _("Appeal assigned to an executor"),
    "appeal.extended": _("Appeal's deadline extended"),
    "appeal.answered": _("Appeal answered"),
    "appeal.closed": _("Appeal closed without an answer (returned, withdrawn, merged)"),
    "petition.published": _("Petition published: collecting signatures"),
    "petition.refused": _("Petition refused at moderation"),
    "petition.threshold_reached": _("Petition reached its threshold of signatures"),
    "petition.consideration_started": _("Petition under consideration"),
    "petition.answered": _("Petition answered"),
    "petition.expired": _("Petition expired without enough signatures"),
    "poll.scheduled": _("Poll scheduled"),
    "poll.started": _("Poll opened for voting"),
    "poll.completed": _("Poll closed"),
    "poll.terminated": _("Poll terminated early"),
    "poll.results_published": _("Poll results published"),
    "budget.parameters_approved": _("Participatory budget: parameters approved"),
    "budget.phase_changed": _("Participatory budget: a new phase"),
    "budget.results_published": _("Participatory budget: results published"),
}

APPEAL_TYPES = {
    AppealFiled: "appeal.received",
    AppealRegistered: "appeal.registered",
    AppealForwarded: "appeal.forwarded",
    AppealAssigned: "appeal.assigned",
    AppealDeadlineExtended: "appeal.extended",
    AppealAnswered: "appeal.answered",
    AppealClosedWithoutAnswer: "appeal.closed",
}

# (instrument, history action) -> webhook type
CONSULTATION_TYPES = {
    ("petition", "publish"): "petition.published",
    ("petition", "refuse"): "petition.refused",
    ("petition", "reach_threshold"): "petition.threshold_reached",
    ("petition", "start_consideration"): "petition.consideration_started",
    ("petition", "answer"): "petition.answered",
    ("petition", "expire"): "petition.expired",
    ("poll", "schedule"): "poll.scheduled",
    ("poll", "approve"): "poll.scheduled",
    ("poll", "start"): "poll.started",
    ("poll", "complete"): "poll.completed",
    ("poll", "terminate"): "poll.terminated",
    ("poll", "publish_results"): "poll.results_published",
    ("budget", "approve_parameters"): "budget.parameters_approved",
    ("budget", "phase"): "budget.phase_changed",
    ("budget", "results"): "budget.results_published",
}

# The domain events the webhooks subscribe to (``IntegrationsConfig.ready``).
DOMAIN_EVENTS = (*APPEAL_TYPES, ConsultationChanged)


def choices():
    return list(EVENT_TYPES.items())


def webhook_type(event):
    """The webhook type of a domain event, or None when it is none of the catalogue's."""
    if isinstance(event, AppealChanged):
        return APPEAL_TYPES.get(type(event))
    if isinstance(event, ConsultationChanged):
        return CONSULTATION_TYPES.get((event.instrument, event.action))
    return None
