"""Reads for the official's appeal card (issue 15): what the card shows of the case file, each
list read once and only when the card's own query found something in it, and the lists its
action forms offer, kept per cabinet and data version (``choices.kept``) instead of read on
every visit. The forms' querysets still check what is sent."""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Value,
    prefetch_related_objects,
)

from cabinets.access import members, staff_with
from cabinets.models import Cabinet, ExternalBody
from edem.core.jurisdiction import get_profile

from .answer_templates import templates_for
from .choices import kept
from .models import Answer, Appeal, Attachment, ClassifierCode, ExternalRequest
from .selectors import same_citizen
from .workflow import WORKING, Status


def classifier_codes():
    """The codes of the active profile's topic classifier an official may choose (R16)."""
    return ClassifierCode.objects.filter(profile=get_profile().code, is_active=True).order_by(
        "code"
    )


def staff_of(cabinet):
    """Who may be given the appeal to answer: the cabinet's executors and its head."""
    return staff_with("cabinets.answer_appeal", cabinet).order_by("last_name", "first_name")


def _plain_user(user):
    return {
        "pk": user.pk,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "patronymic": user.patronymic,
        "is_active": user.is_active,
    }


def _build_lists(cabinet_id):
    bodies = list(ExternalBody.objects.active())
    law = ExternalBody.Kind.LAW_ENFORCEMENT
    return {
        "cabinets": [(c.pk, str(c)) for c in Cabinet.objects.active()],
        "bodies": [(b.pk, str(b)) for b in bodies],
        "law_bodies": [(b.pk, str(b)) for b in bodies if b.kind == law],
        "classifier": [(c.pk, f"{c.code} {c.name}") for c in classifier_codes()],
        "staff": [(person.pk, str(person)) for person in staff_of(cabinet_id)],
        # The cabinet's active memberships, for the next step's "who may take it".
        "members": [(_plain_user(m.user), m.role) for m in members(cabinet_id).order_by("pk")],
    }


def card_lists(cabinet_id):
    """{name: [(pk, label)]} the card's forms offer for an appeal of this cabinet: active
    cabinets (the form leaves out the appeal's own), active external bodies and the law
    enforcement ones among them, the profile's classifier codes, the cabinet's staff who may
    answer; and ``members``: its memberships as plain values."""
    return kept(("card", cabinet_id), lambda: _build_lists(cabinet_id))


def cabinet_members(cabinet_id):
    """[(user, role)] of the cabinet's active memberships, the users built afresh for this
    request from the kept values (the next step asks each one's roles)."""
    User = get_user_model()
    people = {}
    found = []
    for values, role in card_lists(cabinet_id)["members"]:
        person = people.get(values["pk"])
        if person is None:
            person = people[values["pk"]] = User(**values)
        found.append((person, role))
    return found


def first_template(appeal):
    """The answer template that fits the appeal best (``templates_for``), or None; kept per
    topic and cabinet."""
    parent = getattr(appeal.category, "parent_id", None) if appeal.category_id else None
    scope = ("template", appeal.category_id, parent, appeal.cabinet_id)
    return kept(scope, lambda: templates_for(appeal).first())


@dataclass
class CaseFile:
    """What the card shows of the case file: answers (each with ``card_files``), files, the
    history, internal notes and requests for documents (R7)."""

    answers: list = field(default_factory=list)
    attachments: list = field(default_factory=list)
    events: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    requests: list = field(default_factory=list)
    # ``citizen_appeals``, read when the merge or no-merits form is offered; else None.
    citizen_appeals: list | None = None

    @property
    def draft(self):
        """The answer draft (not yet signed), or None."""
        drafts = [answer for answer in self.answers if answer.signed_at is None]
        return min(drafts, key=lambda answer: answer.pk) if drafts else None

    def files_of(self, answer):
        return [item for item in self.attachments if item.answer_id == answer.pk]


def case_file(appeal):
    """The case file of an appeal read by ``selectors.appeal_for_card``: each list read only
    when that query found something in it; the replies to requests for documents come from the
    history and the files already read."""
    attachments = list(appeal.attachments.all()) if appeal.has_attachments else []
    answers = (
        list(appeal.answers.select_related("signed_by", "drafted_by", "delivery", "mail_batch"))
        if appeal.has_answers
        else []
    )
    case = CaseFile(
        answers=answers,
        attachments=attachments,
        events=list(appeal.events.select_related("actor")),
        notes=list(appeal.notes.select_related("author")) if appeal.has_notes else [],
    )
    for answer in answers:
        answer.card_files = case.files_of(answer)
    if appeal.has_requests:
        case.requests = _requests(appeal, case)
    return case


def _requests(appeal, case):
    """The requests for documents (R7), newest first, each with ``card_files`` (the files sent
    with it) and ``replies``: [(history line, files kept)], the replies filed into the case
    for it (by the mail gateway, or recorded by an official), from the history and the files
    the card has read."""
    requests = list(
        appeal.external_requests.select_related("body", "to_cabinet", "notification", "sent_by")
        .annotate(has_files=Exists(ExternalRequest.files.through.objects.filter(
            externalrequest_id=OuterRef("pk"))))
        .order_by("-sent_on", "-pk")
    )  # fmt: skip
    with_files = [request for request in requests if request.has_files]
    if with_files:
        prefetch_related_objects(with_files, "files")
    files = {a.pk: a for a in case.attachments if a.stage == Attachment.Stage.EXTERNAL}
    replies = {}
    lines = [
        line
        for line in case.events
        if line.action == "external_reply" and (line.data or {}).get("request") is not None
    ]
    for line in sorted(lines, key=lambda line: (line.at, line.pk)):
        kept_files = [files[pk] for pk in line.data.get("attachments", []) if pk in files]
        replies.setdefault(line.data["request"], []).append((line, kept_files))
    for request in requests:
        request.replies = replies.get(request.pk, [])
        request.card_files = list(request.files.all()) if request.has_files else []
    return requests


def citizen_appeals(appeal, duplicates=()):
    """The appeals of the same cabinet the card's merge (R10) and no-merits (R11 part 5) forms
    offer, newest first, in one query: of the same citizen (author or e-mail), or among
    ``duplicates`` (pks of likely duplicates of a public problem, issue #4) when the appeal is
    public. Each has ``same_person`` and ``answered_on_merits`` (answered, with a signed
    answer)."""
    same_person = same_citizen(appeal)
    wanted = [same_person] if same_person is not None else []
    if appeal.is_public and duplicates:
        wanted.append(Q(pk__in=list(duplicates), is_public=True))
    if not wanted:
        return []
    either = wanted[0] if len(wanted) == 1 else wanted[0] | wanted[1]
    signed = Answer.objects.filter(appeal=OuterRef("pk"), signed_at__isnull=False)
    # The cabinet as an expression no index serves: the citizen's few appeals come from the
    # author and e-mail indexes, and PostgreSQL no longer ANDs them with the cabinet's index
    # (a bitmap of all its appeals: 40 ms at a million, instead of 3).
    in_cabinet = ExpressionWrapper(F("cabinet_id") + 0, output_field=BigIntegerField())
    rows = (
        Appeal.objects.alias(in_cabinet=in_cabinet)
        .filter(either, in_cabinet=appeal.cabinet_id)
        .exclude(pk=appeal.pk)
        .filter(status__in=[*WORKING, Status.ANSWERED])
        .annotate(
            same_person=(
                ExpressionWrapper(same_person, output_field=BooleanField())
                if same_person is not None
                else Value(False)
            ),
            answered_on_merits=Exists(signed),
        )
        .order_by("-received_at")
        .values_list(*OtherAppeal.__slots__)
    )
    return [OtherAppeal(*row) for row in rows]


@dataclass(frozen=True, slots=True)
class OtherAppeal:
    """One of ``citizen_appeals``: what the forms show and choose by, as plain values (a
    long-standing citizen offers a hundred; model instances cost twice the query)."""

    pk: int
    number: str
    subject: str
    status: str
    received_at: datetime.datetime
    same_person: bool
    answered_on_merits: bool


def merge_candidates(others):
    """Of ``citizen_appeals``: the registered ones an appeal may be merged into (R10)."""
    return [other for other in others if other.number]


def earlier_answers(others):
    """Of ``citizen_appeals``: the same citizen's appeals answered on the merits (R11 part 5)."""
    return [
        other
        for other in others
        if other.same_person and other.status == Status.ANSWERED and other.answered_on_merits
    ]
