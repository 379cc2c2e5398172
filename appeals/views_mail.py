"""The outgoing mail of the service cabinet (R12): the letters waiting to go by post, forming a
batch with its register of postal items (a PDF to print), and marking a batch as sent. Thin:
``selectors`` say what waits, ``services`` form and send."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cabinets.access import cabinets_where
from edem.accounts.mfa import service_cabinet_required
from edem.core.workflow import TransitionNotAllowed

from . import services
from .forms_service import MailBatchSentForm, MailCabinetForm
from .models import Answer, MailBatch

PAGE_SIZE = 25


def _cabinets(user):
    cabinets = cabinets_where(user, services.delivery.PERMISSION).order_by("name")
    if not cabinets.exists():
        raise Http404
    return cabinets


def _mail_url(cabinet):
    return reverse("appeals_service:mail") + "?" + urlencode({"cabinet": cabinet.code})


@service_cabinet_required
def mail(request):
    """The letters waiting to go by post and the cabinet's batches, newest first."""
    cabinets = _cabinets(request.user)
    chooser = MailCabinetForm(request.GET or None, cabinets=cabinets)
    cabinet = chooser.cleaned_data["cabinet"] if chooser.is_valid() else cabinets.first()
    waiting = (
        Answer.objects.filter(mail_batch__cabinet=cabinet, mail_batch__formed_at__isnull=True)
        .select_related("appeal")
        .order_by("signed_at", "pk")
    )
    batches = (
        MailBatch.objects.filter(cabinet=cabinet, formed_at__isnull=False)
        .select_related("formed_by", "dispatched_by")
        .order_by("-formed_at", "-pk")
    )
    waiting_page = Paginator(waiting, PAGE_SIZE).get_page(request.GET.get("wpage"))
    batch_page = Paginator(batches, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = dict(
        Answer.objects.filter(mail_batch__in=[batch.pk for batch in batch_page])
        .values("mail_batch")
        .annotate(n=Count("pk"))
        .values_list("mail_batch", "n")
    )
    for batch in batch_page:
        batch.letters = counts.get(batch.pk, 0)
    return render(
        request,
        "appeals/service/mail.html",
        {
            "cabinet": cabinet,
            "chooser": chooser if cabinets.count() > 1 else None,
            "waiting": waiting_page,
            "page": batch_page,
            "query": urlencode({"cabinet": cabinet.code}),
        },
    )


@service_cabinet_required
@require_POST
def form_batch(request):
    """Form a batch of the letters ticked (R12); the register opens from the batch list."""
    cabinet = get_object_or_404(_cabinets(request.user), code=request.POST.get("cabinet", ""))
    ids = [value for value in request.POST.getlist("answer") if value.isdigit()]
    if not ids:
        messages.error(request, _("Tick at least one letter to put in the batch."))
        return redirect(_mail_url(cabinet))
    try:
        batch = services.form_mail_batch(cabinet=cabinet, actor=request.user, answer_ids=ids)
    except TransitionNotAllowed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _(
                "Batch No. %(number)s is formed. Print its register, hand it to the post office "
                "with the letters, then mark the batch as sent."
            )
            % {"number": batch.pk},
        )
    return redirect(_mail_url(cabinet))


def _batch(request, pk):
    return get_object_or_404(
        MailBatch.objects.select_related("cabinet"),
        pk=pk,
        cabinet__in=_cabinets(request.user),
        formed_at__isnull=False,
    )


@service_cabinet_required
def register(request, pk):
    """The register of postal items of a formed batch, as the PDF to print."""
    batch = _batch(request, pk)
    if not batch.register:
        raise Http404
    return FileResponse(
        batch.register.open("rb"),
        as_attachment=True,
        filename=f"register-{batch.cabinet.code}-{batch.pk}.pdf",
        content_type="application/pdf",
    )


@service_cabinet_required
def send_batch(request, pk):
    """Confirm that the post office took the letters, with its date (R12): each case's
    history records the posting."""
    batch = _batch(request, pk)
    answers = batch.answers.select_related("appeal").order_by("pk")
    form = MailBatchSentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.mark_mail_batch_sent(
                batch=batch, actor=request.user, sent_on=form.cleaned_data["sent_on"]
            )
        except TransitionNotAllowed as exc:
            form.add_error("sent_on", str(exc))
        else:
            messages.success(
                request, _("Batch No. %(number)s is marked as sent.") % {"number": batch.pk}
            )
            return redirect(_mail_url(batch.cabinet))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "appeals/service/mail_send.html",
        {"batch": batch, "answers": answers, "form": form, "cabinet": batch.cabinet},
        status=status,
    )
