"""The appeals part of the electronic service cabinet: the work queue and the appeal card.
Thin views: the selectors say what the user may see, the workflow what they may do, the
services do it."""

import csv

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from appeals.community.selectors import likely_duplicates
from cabinets.access import can, roles_by_cabinet
from cabinets.roles import permissions_for_roles
from edem.accounts.mfa import service_cabinet_required
from edem.core import prepared
from edem.core.jurisdiction import get_profile
from edem.core.net import client_ip
from edem.core.pagecache import signed_in_page
from edem.core.workflow import TransitionNotAllowed

from . import card_reads, selectors, services, workflow
from .actions import CARD_ACTIONS
from .form_uploads import collect_uploads
from .forms_service import ExternalReplyForm, QueueFilterForm, RequestPostedForm
from .letters import registration_card_pdf, request_letter_pdf
from .models import AccessLog, Appeal, ExternalRequest
from .workflow import Status

PAGE_SIZE = 25
# History lines whose actor is the citizen (or a co-signer): their names are personal data.
CITIZEN_ACTIONS = frozenset(
    {"receive", "withdraw", "reopen", "rate", "add_materials", "cosign", "invite_cosigners"}
)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """A CSV cell a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


@service_cabinet_required
@signed_in_page
def queue(request):
    data = request.GET.copy()
    if "status" not in data:  # the first visit and links from mail: what is still in work
        data["status"] = selectors.OPEN
    form = QueueFilterForm(data, user=request.user)
    filters = form.cleaned_data if form.is_valid() else {"status": selectors.OPEN}
    appeals = selectors.work_queue(request.user, filters)
    if request.GET.get("format") == "csv":
        return _csv(request, appeals)
    counts = selectors.status_counts(request.user, filters)
    paginator = Paginator(appeals, PAGE_SIZE)
    paginator.count = selectors.queue_total(counts, filters.get("status"))  # no second COUNT
    page = paginator.get_page(request.GET.get("page"))
    today = timezone.localdate()
    for appeal in page.object_list:  # the rows' deadline marks, with the form's policy
        appeal.queue_due_state = appeal.due_state_on(today, form.due_soon_days)
    query = data.copy()
    query.pop("page", None)
    other_filters = query.copy()
    other_filters.pop("status", None)
    return render(
        request,
        "appeals/service/queue.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "counts": [(status, counts.get(status.value, 0)) for status in Status],
            "open_count": selectors.queue_total(counts, selectors.OPEN),
            "open_value": selectors.OPEN,
            "other_filters": other_filters.urlencode(),
            "today": today,
            # R4: registrars (and heads) enter appeals received on paper.
            # (from the roles read once per request: no query; the form's view asks access)
            "can_enter": any(
                "register_appeal" in permissions_for_roles(roles)
                for roles in roles_by_cabinet(request.user).values()
            ),
        },
    )


def _csv(request, appeals):
    services.log_access(
        user=request.user,
        action=AccessLog.Action.EXPORT,
        ip=client_ip(request),
        count=appeals.count(),
    )  # R14/R18
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="appeals.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Number"),
            _("Subject"),
            _("Status"),
            _("Authority"),
            _("Received"),
            _("Answer due"),
            _("Executor"),
        ]
    )
    for appeal in appeals[:10000]:
        writer.writerow(
            [
                safe_cell(v)
                for v in (
                    appeal.number,
                    appeal.subject,
                    appeal.get_status_display(),
                    appeal.cabinet.short_name,
                    timezone.localtime(appeal.received_at).strftime("%Y-%m-%d %H:%M"),
                    appeal.legal_due,
                    appeal.executor or "",
                )
            ]
        )
    return response


def _reply_forms(requests, may_record, reply_forms, posted_forms):
    """R7: each request for documents with the form that files a reply received by post or on
    the portal, for whoever may send requests, and, for a letter by post not yet recorded as
    posted, the form that records the day."""
    for item in requests:
        item.reply_form = (
            reply_forms.get(item.pk) or ExternalReplyForm(prefix=f"reply-{item.pk}")
            if may_record
            else None
        )
        item.by_post = item.sending == ExternalRequest.Sending.POST
        item.posted_form = (
            posted_forms.get(item.pk)
            or RequestPostedForm(
                prefix=f"posted-{item.pk}", initial={"posted_on": timezone.localdate()}
            )
            if may_record and item.by_post and item.posted_on is None
            else None
        )
    return requests


# The actions whose forms offer the citizen's other appeals (R10, R11 part 5).
CITIZEN_APPEALS_FORMS = frozenset({"merge", "close_no_merits"})


def _card(request, appeal, forms=None, status=200, reply_forms=None, posted_forms=None):
    user = request.user
    holds = selectors.holds(user, appeal)
    actions = workflow.available_actions(appeal, user) if holds else []
    names = {action.name for action in actions}
    # What the card shows of the case file: each list read once, and only when the card's
    # query found something in it; the forms below take what they need from it.
    case = card_reads.case_file(appeal)
    duplicates = likely_duplicates(user, appeal)  # issue #4: the list and the merge form's
    if names & CITIZEN_APPEALS_FORMS:
        case.citizen_appeals = card_reads.citizen_appeals(
            appeal, [other.pk for other, *_rest in duplicates]
        )
    forms = forms or {}
    action_forms = []
    for action in actions:
        card_action = CARD_ACTIONS.get(action.name)
        if card_action is None:
            continue  # a citizen's action (withdraw, reopen): not on the officials' card
        form = forms.get(action.name)
        if form is None:
            form = card_action.form(action.name, appeal=appeal, user=user, case=case)
            if not card_action.is_offered(form):
                continue  # e.g. nothing earlier of this citizen to merge into
        action_forms.append((action, form))
    services.log_access(
        user=user, action=AccessLog.Action.VIEW, appeal=appeal, ip=client_ip(request)
    )  # R14/R18
    personal_data = selectors.sees_personal_data(user, appeal)
    next_step = None
    if holds:
        next_step = selectors.next_step_for_staff(
            appeal, user, memberships=card_reads.cabinet_members(appeal.cabinet_id)
        )
    return render(
        request,
        "appeals/service/card.html",
        {
            "appeal": appeal,
            "personal_data": personal_data,
            "citizen_actions": CITIZEN_ACTIONS,
            "events": case.events,
            "answers": case.answers,
            "attachments": case.attachments,
            "notes": case.notes,
            "merged_appeals": appeal.merged_appeals.all() if appeal.has_merged else [],
            "external_requests": _reply_forms(
                case.requests, "request_documents" in names, reply_forms or {}, posted_forms or {}
            ),
            "duplicates": duplicates,
            "may_merge": "merge" in {action.name for action, _form in action_forms},
            "action_forms": action_forms,
            "read_only": not holds,
            "may_print_card": may_print_card(user, appeal),
            "next_step": next_step,
            "today": timezone.localdate(),
            "information_rules": get_profile().information_requests,  # R17
        },
        status=status,
    )


def _log_stored_card_view(request, note):
    """R14/R18: a card served from the page cache is a view of the appeal like any other."""
    appeal_id, cabinet_id = note
    services.log_access(
        user=request.user,
        action=AccessLog.Action.VIEW,
        appeal=Appeal(pk=appeal_id, cabinet_id=cabinet_id),
        ip=client_ip(request),
    )


@service_cabinet_required
@signed_in_page(on_hit=_log_stored_card_view)
def card(request, pk):
    # The card's queries are the same texts on every visit, and wide: planning them was a good
    # part of the page's time (issue 15). Prepared once per connection, they are only run.
    with prepared.statements():
        appeal = selectors.appeal_for_card(request.user, pk)
        response = _card(request, appeal)
    response.page_cache_note = (appeal.pk, appeal.cabinet_id)
    return response


@service_cabinet_required
@require_POST
def act(request, pk, action):
    appeal = selectors.appeal_for_card(request.user, pk)
    card_action = CARD_ACTIONS.get(action)
    if card_action is None:
        raise Http404
    uploads = None
    if card_action.takes_uploads:
        uploads = collect_uploads(
            request,
            field=f"{action}-files",
            remove_field=f"{action}-remove_file",
            pending_field=f"{action}-pending",
        )
    form = card_action.form(action, request.POST, appeal=appeal, user=request.user, uploads=uploads)
    if form.is_valid():
        try:
            card_action.perform(appeal=appeal, actor=request.user, form=form)
        except TransitionNotAllowed as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, _("Done: %(action)s.") % {"action": workflow.ACTIONS[action].label}
            )
            appeal.refresh_from_db()
            if not selectors.holds(request.user, appeal):  # forwarded away
                return redirect("appeals_service:queue")
            return redirect("appeals_service:card", pk=appeal.pk)
    return _card(request, appeal, forms={action: form}, status=400)


@service_cabinet_required
@require_POST
def record_reply(request, pk, request_pk):
    """R7: file a reply to a request for documents that came by post or on the portal."""
    appeal = selectors.appeal_for_card(request.user, pk)
    asked = appeal.external_requests.filter(pk=request_pk).first()
    if asked is None:
        raise Http404
    prefix = f"reply-{asked.pk}"
    form = ExternalReplyForm(
        request.POST, prefix=prefix, uploads=request.FILES.getlist(f"{prefix}-files")
    )
    if form.is_valid():
        try:
            services.record_external_reply(
                appeal=appeal, actor=request.user, request=asked, **form.cleaned_data
            )
        except TransitionNotAllowed as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The reply is filed into the case."))
            return redirect(
                reverse("appeals_service:card", args=[appeal.pk]) + f"#request-{asked.pk}"
            )
    return _card(request, appeal, reply_forms={asked.pk: form}, status=400)


def _post_request(appeal, request_pk):
    asked = appeal.external_requests.filter(pk=request_pk).select_related("sent_by").first()
    if asked is None or asked.sending != ExternalRequest.Sending.POST:
        raise Http404
    return asked


@service_cabinet_required
def request_letter(request, pk, request_pk):
    """R7: the printable letter of a request for documents sent by post (no personal data of
    the citizen is on it)."""
    appeal = selectors.appeal_for_card(request.user, pk)
    asked = _post_request(appeal, request_pk)
    response = HttpResponse(request_letter_pdf(asked), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{appeal.pk}-request-{asked.pk}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@service_cabinet_required
@require_POST
def record_posted(request, pk, request_pk):
    """R7: record the day the printed request for documents was posted."""
    appeal = selectors.appeal_for_card(request.user, pk)
    asked = _post_request(appeal, request_pk)
    form = RequestPostedForm(request.POST, prefix=f"posted-{asked.pk}")
    if form.is_valid():
        try:
            services.record_request_posted(
                appeal=appeal, actor=request.user, request=asked, **form.cleaned_data
            )
        except TransitionNotAllowed as exc:
            form.add_error("posted_on", str(exc))
        else:
            messages.success(request, _("The day the letter was posted is recorded."))
            return redirect(
                reverse("appeals_service:card", args=[appeal.pk]) + f"#request-{asked.pk}"
            )
    return _card(request, appeal, posted_forms={asked.pk: form}, status=400)


@service_cabinet_required
def letter(request, pk, answer_pk):
    appeal = selectors.appeal_for_staff(request.user, pk)
    answer = appeal.answers.filter(pk=answer_pk).exclude(letter="").first()
    if answer is None or not selectors.sees_personal_data(request.user, appeal):
        raise Http404  # the letter is addressed to the citizen: personal data
    services.log_access(
        user=request.user, action=AccessLog.Action.LETTER, appeal=appeal, ip=client_ip(request)
    )
    return FileResponse(
        answer.letter.open("rb"),
        content_type="application/pdf",
        filename=f"{appeal.number}-answer.pdf",
    )


def may_print_card(user, appeal):
    """The registration card (R4) carries the citizen's name and address: for those of the
    holding cabinet who register appeals, once the appeal is registered."""
    return (
        bool(appeal.number)
        and can(user, "cabinets.register_appeal", appeal.cabinet)
        and selectors.sees_personal_data(user, appeal)
    )


@service_cabinet_required
def registration_card(request, pk):
    appeal = selectors.appeal_for_staff(request.user, pk)
    if not may_print_card(request.user, appeal):
        raise Http404
    services.log_access(
        user=request.user, action=AccessLog.Action.VIEW, appeal=appeal, ip=client_ip(request)
    )  # R14/R18: the card shows personal data
    response = HttpResponse(registration_card_pdf(appeal), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{appeal.pk}-registration-card.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@service_cabinet_required
def attachment(request, pk, attachment_pk):
    appeal = selectors.appeal_for_staff(request.user, pk)
    item = appeal.attachments.filter(pk=attachment_pk).first()
    if item is None or not selectors.sees_personal_data(request.user, appeal):
        raise Http404
    services.log_access(
        user=request.user, action=AccessLog.Action.FILE, appeal=appeal, ip=client_ip(request)
    )
    return FileResponse(
        item.file.open("rb"), content_type=item.content_type, filename=item.original_name
    )


@service_cabinet_required
@require_POST
def add_note(request, pk):
    appeal = selectors.appeal_for_staff(request.user, pk)
    try:
        services.add_note(appeal=appeal, actor=request.user, text=request.POST.get("text", ""))
    except TransitionNotAllowed as exc:
        messages.error(request, str(exc))
    return redirect("appeals_service:card", pk=appeal.pk)
