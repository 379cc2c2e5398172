"""The participation instruments the portal offers, in the order residents see them: one entry
per sub-app, read by the consultations page, the home page, the personal cabinet and the
service cabinet (through the ``consultations`` template tags)."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Instrument:
    code: str
    title: str
    summary: str
    list_url: str  # URL name of the public list
    my_url: str  # URL name of the user's own page
    service_url: str  # URL name of the service-cabinet list
    personal_template: str  # section of the personal cabinet


INSTRUMENTS = (
    Instrument(
        code="discussions",
        title=_("Public discussions of draft acts"),
        summary=_("Comment on draft municipal acts and propose better wording."),
        list_url="discussions:list",
        my_url="discussions:my",
        service_url="discussions_service:index",
        personal_template="discussions/_personal_section.html",
    ),
    Instrument(
        code="polls",
        title=_("Polls and surveys"),
        summary=_("Say what you think about questions the authorities put to residents."),
        list_url="polls:list",
        my_url="polls:my_votes",
        service_url="polls_service:list",
        personal_template="polls/_personal_section.html",
    ),
    Instrument(
        code="petitions",
        title=_("E-petitions"),
        summary=_("Ask the authorities to act; with enough signatures they must answer."),
        list_url="petitions:list",
        my_url="petitions:my",
        service_url="petitions_service:queue",
        personal_template="petitions/_personal_section.html",
    ),
    Instrument(
        code="budgets",
        title=_("Participatory budgeting"),
        summary=_("Propose projects for the town's money and vote for the ones you want."),
        list_url="budgets:list",
        my_url="budgets:my",
        service_url="budgets_service:home",
        personal_template="budgets/_personal_section.html",
    ),
)
