"""Public pages of personal reception (mounted at /reception/): the published schedule of each
cabinet with its free slots, booking by a verified citizen, the citizen's bookings."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from appeals.models import Category
from edem.core import idempotency
from edem.core.jurisdiction import get_profile

from . import selectors, services
from .forms import BookingForm
from .models import Booking, ReceptionSchedule

DAYS_SHOWN = 7


def index(request):
    return render(
        request, "reception/index.html", {"cabinets": selectors.cabinets_with_reception()}
    )


def _schedule_blocks(cabinet, forms_by_pk=None):
    blocks = []
    for schedule in selectors.published_schedules(cabinet):
        days = selectors.free_slots(schedule, DAYS_SHOWN)
        form = (forms_by_pk or {}).get(schedule.pk) or BookingForm(
            days=days, prefix=f"s{schedule.pk}"
        )
        blocks.append({"schedule": schedule, "days": days, "form": form})
    return blocks


def schedule(request, code, forms_by_pk=None, status=200):
    """The published reception schedule of a cabinet (R15), with the booking forms."""
    cabinet = selectors.public_cabinet_or_404(code)
    verified = request.user.is_authenticated and get_profile().verification_sufficient(
        request.user.verification_level
    )
    return render(
        request,
        "reception/schedule.html",
        {
            "cabinet": cabinet,
            "blocks": _schedule_blocks(cabinet, forms_by_pk),
            "verified": verified,
            "categories": Category.objects.exists(),
        },
        status=status,
    )


@require_POST
def book(request, code, pk):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    cabinet = selectors.public_cabinet_or_404(code)
    reception = get_object_or_404(ReceptionSchedule, pk=pk, cabinet=cabinet, is_published=True)
    days = selectors.free_slots(reception, DAYS_SHOWN)
    form = BookingForm(request.POST, days=days, prefix=f"s{reception.pk}")
    if form.is_valid():
        day, starts_at = form.cleaned_data["slot"]
        try:
            idempotency.once(
                token=idempotency.token_from(request.POST),
                scope="reception.book",
                user=request.user,
                create=lambda: services.book_slot(
                    citizen=request.user,
                    schedule=reception,
                    day=day,
                    starts_at=starts_at,
                    topic=form.cleaned_data["topic"],
                    category=form.cleaned_data["category"],
                    privileged_category=form.cleaned_data["privileged_category"],
                ),
            )
        except (services.ReceptionRefused, idempotency.TokenAlreadyUsed) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, _("The slot is booked. A confirmation is on its way to your e-mail.")
            )
            return redirect("reception:my")
    return schedule(request, code, forms_by_pk={reception.pk: form}, status=400)


@login_required
def my(request):
    return render(request, "reception/my.html", {"bookings": selectors.bookings_of(request.user)})


@login_required
@require_POST
def cancel(request, pk):
    booking = get_object_or_404(Booking, pk=pk, citizen=request.user)
    try:
        services.cancel_booking(booking=booking, actor=request.user)
    except services.ReceptionRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The booking is cancelled."))
    return redirect("reception:my")
