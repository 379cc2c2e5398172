"""The reception desk in the service cabinet (mounted at /service/reception/): the day view of a
cabinet's reception, walk-ins, the reception card with its outcome, and the head's schedule.
Anyone who does not work the desk of the cabinet gets a 404."""

from datetime import date

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from edem.accounts.mfa import service_cabinet_required
from edem.core import calendar, idempotency
from edem.core.workflow import TransitionNotAllowed

from . import selectors, services
from .forms import (
    ExplainForm,
    OpenCardForm,
    OralAnswerForm,
    RefuseForm,
    ScheduleForm,
    WalkInForm,
    WrittenAppealForm,
)
from .models import Booking, ReceptionCard, ReceptionSchedule

OUTCOME_FORMS = {
    "oral": OralAnswerForm,
    "written": WrittenAppealForm,
    "explained": ExplainForm,
    "refused": RefuseForm,
}


@service_cabinet_required
def desks(request):
    return render(
        request, "reception/service/desks.html", {"cabinets": selectors.desk_cabinets(request.user)}
    )


def _day(request):
    try:
        return date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        return calendar.local_date()


@service_cabinet_required
def day_view(request, code):
    """The head's (and the desk's) reception day: bookings and walk-ins, outcomes filled or not."""
    cabinet = selectors.desk_cabinet_or_404(request.user, code)
    day = _day(request)
    queue = selectors.day_queue(cabinet, day)
    return render(
        request,
        "reception/service/day.html",
        {
            "cabinet": cabinet,
            "day": day,
            "queue": queue,
            "open_count": sum(1 for e in queue if not (e.card and e.card.is_filled)),
            "schedules": ReceptionSchedule.objects.filter(cabinet=cabinet).select_related(
                "official"
            ),
            "is_head": services.is_head(request.user, cabinet),
            "open_form": OpenCardForm(),
        },
    )


@service_cabinet_required
def schedule_edit(request, code, pk=None):
    cabinet = selectors.desk_cabinet_or_404(request.user, code)
    if not services.is_head(request.user, cabinet):
        raise Http404
    instance = get_object_or_404(ReceptionSchedule, pk=pk, cabinet=cabinet) if pk else None
    form = ScheduleForm(request.POST or None, instance=instance, cabinet=cabinet)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_schedule(
                actor=request.user,
                cabinet=cabinet,
                schedule=instance,
                **{
                    name: form.by_language(name)
                    if name in form.translated_fields
                    else form.cleaned_data[name]
                    for name in services.SCHEDULE_FIELDS
                },
            )
        except services.ReceptionRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The reception schedule is saved."))
            return redirect("reception_service:day", code=cabinet.code)
    return render(
        request,
        "reception/service/schedule_form.html",
        {"cabinet": cabinet, "form": form, "schedule": instance},
        status=400 if form.errors else 200,
    )


@service_cabinet_required
def walk_in(request, code):
    cabinet = selectors.desk_cabinet_or_404(request.user, code)
    form = WalkInForm(request.POST or None, cabinet=cabinet)
    if request.method == "POST" and form.is_valid():
        try:
            done = idempotency.once(
                token=idempotency.token_from(request.POST),
                scope="reception.walk_in",
                user=request.user,
                create=lambda: services.enter_walk_in(
                    actor=request.user, cabinet=cabinet, **form.cleaned_data
                ),
            )
        except (services.ReceptionRefused, idempotency.TokenAlreadyUsed) as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("reception_service:card", pk=done.result.pk)
    return render(
        request,
        "reception/service/walk_in.html",
        {"cabinet": cabinet, "form": form},
        status=400 if form.errors else 200,
    )


@service_cabinet_required
@require_POST
def open_card(request, pk):
    booking = get_object_or_404(Booking.objects.select_related("schedule__cabinet"), pk=pk)
    cabinet = booking.schedule.cabinet
    if not services.may_receive(request.user, cabinet):
        raise Http404
    form = OpenCardForm(request.POST)
    if form.is_valid():
        try:
            card = services.open_card(booking=booking, actor=request.user, **form.cleaned_data)
        except services.ReceptionRefused as exc:
            messages.error(request, str(exc))
        else:
            return redirect("reception_service:card", pk=card.pk)
    else:
        messages.error(request, _("Choose the identity document seen."))
    return redirect(
        f"{_day_url(cabinet.code)}?day={booking.day.isoformat()}",
    )


def _day_url(code):
    return reverse("reception_service:day", kwargs={"code": code})


def _held_card(user, pk):
    card = get_object_or_404(
        ReceptionCard.objects.select_related("cabinet", "official", "appeal", "booking"), pk=pk
    )
    if not services.may_receive(user, card.cabinet):
        raise Http404
    return card


def _card_page(request, card, forms=None, status=200):
    forms = forms or {}
    return render(
        request,
        "reception/service/card.html",
        {
            "card": card,
            "cabinet": card.cabinet,
            "events": card.events.select_related("actor"),
            "forms": {
                name: forms.get(name) or form_class(prefix=name)
                for name, form_class in OUTCOME_FORMS.items()
            },
        },
        status=status,
    )


@service_cabinet_required
def card(request, pk):
    return _card_page(request, _held_card(request.user, pk))


@service_cabinet_required
@require_POST
def outcome(request, pk, outcome):
    card = _held_card(request.user, pk)
    if outcome not in OUTCOME_FORMS:
        raise Http404
    form = OUTCOME_FORMS[outcome](request.POST, prefix=outcome)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if outcome == "oral":
                services.record_oral_answer(
                    card=card, actor=request.user, answer=data["answer"], consent=data["consent"]
                )
            elif outcome == "written":
                services.register_written_appeal(card=card, actor=request.user, **data)
            elif outcome == "explained":
                services.explain_where_to_apply(
                    card=card, actor=request.user, explanation=data["explanation"]
                )
            else:
                earlier = None
                if data["earlier_number"].strip():
                    earlier = selectors.appeal_by_number(
                        card.cabinet, data["earlier_number"].strip()
                    )
                    if earlier is None:
                        raise services.ReceptionRefused(_("No appeal with this number here."))
                services.refuse(
                    card=card, actor=request.user, reason=data["reason"], earlier_appeal=earlier
                )
        except TransitionNotAllowed as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The outcome of the reception is recorded."))
            return redirect("reception_service:card", pk=card.pk)
    return _card_page(request, card, forms={outcome: form}, status=400)
