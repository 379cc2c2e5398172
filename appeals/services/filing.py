"""Filing on the portal (R2, R3, R19), paper and reception appeals, uploads and supplementary materials."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cabinets.access import can, members
from cabinets.models import Cabinet
from edem.core import orgnumbers
from edem.core.jurisdiction import get_profile, offered_answer_channels
from edem.core.uploads import MAX_FILES, UploadRefused, clean_upload, store
from edem.core.workflow import TransitionNotAllowed
from edem.geo.lookup import territory_for

from ..models import Appeal, Attachment, CabinetAppealSettings
from ..workflow import Status
from ._common import notify_citizen, record
from .registration import register, route, set_receipt_deadlines


class FilingRefused(TransitionNotAllowed):
    """The appeal cannot be accepted as it is; the message says what is missing."""


# R4: how an appeal that a registrar enters reached the cabinet.
ENTERED_CHANNELS = (
    Appeal.Channel.PAPER,
    Appeal.Channel.POST,
    Appeal.Channel.EMAIL_SCAN,
    Appeal.Channel.RECEPTION,
)
# R3: the address each answer channel of an entered appeal needs.
ANSWER_ADDRESS = {
    Appeal.AnswerChannel.EMAIL: "email",
    Appeal.AnswerChannel.POST: "postal_address",
}


def required_fields(profile, kind, answer_channel):
    """The fields a citizen's electronic filing must fill (R3, R19). A request for information
    (R17) needs the name and the address for the chosen answer channel (8-FZ Art. 18(2);
    ua art. 19(5)), not the appeal law's full set."""
    if kind == Appeal.Kind.INFORMATION_REQUEST:
        address = ANSWER_ADDRESS.get(answer_channel)
        return ("last_name", "first_name", *([address] if address else []))
    return profile.required_fields(answer_channel)


def check_organisation(appeal):
    """59-FZ Art. 1(4): an appeal on behalf of an organisation names it, gives its
    registration number in a form the jurisdiction profile accepts (ОГРН/ИНН, ЄДРПОУ; the
    check digit is verified) and the position of the person who signs it. The answer goes to
    the organisation at the appeal's addresses."""
    if not appeal.organisation_name.strip():
        if appeal.organisation_number or appeal.signer_position:
            raise FilingRefused(_("Name the organisation on whose behalf the appeal is made."))
        return
    appeal.organisation_name = appeal.organisation_name.strip()
    appeal.organisation_number = orgnumbers.normalise(appeal.organisation_number)
    kinds = get_profile().organisation_numbers
    if not orgnumbers.is_valid(appeal.organisation_number, kinds):
        raise FilingRefused(
            _("Enter the organisation's registration number (%(kinds)s) with its check digit.")
            % {"kinds": orgnumbers.label(kinds)}
        )
    if not appeal.signer_position.strip():
        raise FilingRefused(_("Enter the position of the person who signs for the organisation."))


def check_respondents(appeal):
    """R6: only a complaint names the body and/or the official complained about; the body is
    an active cabinet of the portal and the official one of its people, so that the rules of
    R6 (no forwarding, assignment, signature or no-merits decision by them) can hold."""
    if not (appeal.respondent_cabinet_id or appeal.respondent_official_id):
        return
    if appeal.kind != Appeal.Kind.COMPLAINT:
        raise FilingRefused(_("Only a complaint names the body or official complained about."))
    if appeal.respondent_cabinet_id and not (
        Cabinet.objects.active().filter(pk=appeal.respondent_cabinet_id).exists()
    ):
        raise FilingRefused(_("Choose the body complained about from the list."))
    if appeal.respondent_official_id and not (
        members().filter(user_id=appeal.respondent_official_id).exists()
    ):
        raise FilingRefused(_("Choose the official complained about from the list."))


def _default_cabinet():
    return (
        Cabinet.objects.active().filter(kind=Cabinet.Kind.ADMINISTRATION).order_by("pk").first()
        or Cabinet.objects.active().order_by("pk").first()
    )


def _check_answer_channel(appeal, profile):
    """R3: the answer goes by a channel the portal offers (the Gosuslugi account only with
    the identity provider connected)."""
    if appeal.answer_channel not in offered_answer_channels(profile):
        raise FilingRefused(_("Choose one of the offered ways to receive the answer."))


@transaction.atomic
def file_appeal(*, author, cabinet=None, attachments=(), **fields):
    """A citizen files an appeal on the portal.

    R2: the author's verification level must satisfy the profile. R3/R19: the identity fields
    and the address for the chosen answer channel are required. The territory comes from the
    map point; the cabinet is the one chosen, or routing decides. The appeal is stored as
    *received* and, where the cabinet registers on receipt (R4, the default), registered at once.
    """
    profile = get_profile()
    if not profile.verification_sufficient(author.verification_level):  # R2
        raise FilingRefused(
            _(
                "Confirm your identity before filing an appeal: sign in through the identity provider or show a document at the service centre."
            )
        )
    appeal = Appeal(author=author, channel=Appeal.Channel.PORTAL, **fields)
    _check_answer_channel(appeal, profile)  # R3
    missing = [
        name
        for name in required_fields(profile, appeal.kind, appeal.answer_channel)
        if not getattr(appeal, name, "")
    ]
    if missing:  # R3, R19
        names = ", ".join(str(Appeal._meta.get_field(name).verbose_name) for name in missing)
        raise FilingRefused(_("Fill in: %(fields)s.") % {"fields": names})
    check_organisation(appeal)  # 59-FZ Art. 1(4)
    check_respondents(appeal)  # R6
    if appeal.latitude is not None and appeal.longitude is not None and appeal.territory is None:
        appeal.territory = territory_for(appeal.latitude, appeal.longitude)
    appeal.cabinet = (
        cabinet or route(category=appeal.category, territory=appeal.territory) or _default_cabinet()
    )
    if appeal.cabinet is None:
        raise FilingRefused(_("The portal has no authority to receive appeals yet."))
    appeal.received_at = timezone.now()
    appeal.personal_data_consent_at = appeal.personal_data_consent_at or appeal.received_at
    set_receipt_deadlines(appeal)
    appeal.save()
    _attach(appeal, [a for a in attachments if a.uploaded_by_id == author.pk])
    record(appeal, actor=author, action="receive", attachments=len(attachments))
    settings_ = CabinetAppealSettings.objects.filter(cabinet=appeal.cabinet).first()
    if settings_ is None or settings_.registration == CabinetAppealSettings.Registration.ON_RECEIPT:
        appeal = register(appeal=appeal, actor=None)  # R4: registered at submit time
    else:
        notify_citizen(appeal, "received", due=appeal.registration_due.isoformat())
    return appeal


# R4: what a registrar attaches to an entered appeal: the scanned letter.
SCAN_TYPES = ("application/pdf", "image/jpeg")


def store_upload(*, upload, actor, stage="initial", content_types=None):
    """Check an uploaded file (``uploads.clean_upload``) and keep it as a pending attachment of
    ``actor``; raises ``uploads.UploadRefused`` with the reason. ``content_types`` narrows
    what is accepted (scans: ``SCAN_TYPES``)."""
    clean = clean_upload(upload)
    if content_types is not None and clean.content_type not in content_types:
        raise UploadRefused(
            _("“%(name)s”: attach the scan as a PDF document or a JPEG image.")
            % {"name": upload.name}
        )
    attachment = store(Attachment(uploaded_by=actor, stage=stage), clean, upload.name)
    # Where the photo was taken: not stored (the file's EXIF is gone), only handed to the form
    # that received it, which may offer it as the appeal's place (appeals.photo_place).
    attachment.photo_position = clean.position
    return attachment


def pending_uploads(actor, ids):
    """The actor's own pending (not yet attached) uploads among ``ids``."""
    return list(
        Attachment.objects.filter(pk__in=ids, uploaded_by=actor, appeal__isnull=True).order_by("pk")
    )


def _attach(appeal, attachments):
    if appeal.attachments.count() + len(attachments) > MAX_FILES:
        raise FilingRefused(_("At most 10 files can be attached."))
    Attachment.objects.filter(pk__in=[a.pk for a in attachments], appeal__isnull=True).update(
        appeal=appeal
    )


@transaction.atomic
def add_materials(*, appeal, actor, attachments, note=""):
    """The citizen adds documents to an open appeal (R14)."""
    if appeal.author_id != actor.pk:
        raise TransitionNotAllowed(_("Only the author of the appeal may add materials."))
    if not Status(appeal.status).is_open:
        raise TransitionNotAllowed(
            _("Materials can be added while the appeal is being considered.")
        )
    _attach(appeal, [a for a in attachments if a.uploaded_by_id == actor.pk])
    record(
        appeal,
        actor=actor,
        action="add_materials",
        from_status=appeal.status,
        note=note.strip(),
        files=len(attachments),
    )
    return appeal


@transaction.atomic
def enter_paper_appeal(
    *, actor, cabinet, channel, received_at, scans=(), register_now=False, **fields
):
    """A registrar enters an appeal received on paper, by post, as a scan by e-mail or at a
    personal reception on behalf of a citizen: the stamped receipt date starts the clocks (R4),
    then the same workflow follows. The citizen is an account (``author``) or only a name with
    an address; the address for the chosen answer channel is required (R3). With
    ``register_now`` the registrar registers it at once (number and answer clock, R4)."""
    if not can(actor, "cabinets.register_appeal", cabinet):
        raise TransitionNotAllowed(_("Your role in this cabinet does not allow this."))
    if channel not in ENTERED_CHANNELS:
        raise TransitionNotAllowed(_("Choose how the appeal was received."))
    if received_at > timezone.now():
        raise TransitionNotAllowed(_("The receipt date cannot be in the future."))
    appeal = Appeal(cabinet=cabinet, channel=channel, received_at=received_at, **fields)
    # R11 part 1: a letter without a surname or address is still registered when it reports an
    # offence, so that it can be sent to law enforcement.
    anonymous_offence = appeal.reports_offence and not (
        appeal.last_name and (appeal.postal_address or appeal.email)
    )
    if anonymous_offence:
        appeal.answer_channel = Appeal.AnswerChannel.POST
    elif not appeal.last_name or not (appeal.postal_address or appeal.email):
        raise TransitionNotAllowed(
            _("Enter the surname and an address for the answer (59-FZ Art. 7).")
        )
    if not anonymous_offence:
        _check_answer_channel(appeal, get_profile())  # R3
    address = None if anonymous_offence else ANSWER_ADDRESS.get(appeal.answer_channel)
    if appeal.answer_channel == Appeal.AnswerChannel.PORTAL_ACCOUNT and appeal.author is None:
        raise FilingRefused(_("The answer can go to a portal account only if the citizen has one."))
    if address and not getattr(appeal, address):  # R3 (an anonymous offence report has none)
        raise FilingRefused(
            _("%(field)s: needed, the answer goes there.")
            % {"field": Appeal._meta.get_field(address).verbose_name}
        )
    check_organisation(appeal)  # 59-FZ Art. 1(4)
    check_respondents(appeal)  # R6
    set_receipt_deadlines(appeal)
    appeal.save()
    _attach(appeal, [a for a in scans if a.uploaded_by_id == actor.pk])
    record(
        appeal,
        actor=actor,
        action="receive",
        channel=channel,
        entered_by_registrar=True,
        scans=len(scans),
    )
    if register_now:
        appeal = register(appeal=appeal, actor=actor)  # R4
    return appeal
