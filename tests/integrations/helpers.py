"""Widgets and the rows they show, for the widget's tests (unit and browser)."""

import datetime as dt

from django.utils import timezone

from appeals import services
from appeals.models import Answer
from appeals.reception.models import ReceptionSchedule
from integrations.models import WidgetSite
from tests.appeals.problems.helpers import personal_appeal, public_appeal
from tests.factories import CabinetFactory, UserFactory
from tests.helpers import appeal_changed

ORIGIN = "https://admin.example.org"


def widget(cabinet=None, origins=ORIGIN, **fields):
    cabinet = cabinet or CabinetFactory()
    return WidgetSite.objects.create(cabinet=cabinet, allowed_origins=origins, **fields)


def problem_in(cabinet, subject, **kwargs):
    return public_appeal(cabinet=cabinet, subject=subject, **kwargs)


def answered(appeal, text="Фонарь заменён 1 июня."):
    signer = UserFactory()
    Answer.objects.create(
        appeal=appeal,
        text=text,
        drafted_by=signer,
        signed_by=signer,
        signer_name="Б. Б. Подписантов",
        signer_position="Начальник управления",
        signed_at=timezone.now(),
        on_time=True,
    )
    appeal.status = "answered"
    appeal.answered_at = timezone.now()
    appeal.save()
    appeal_changed(appeal)
    return appeal


def registered(plain=False, **kwargs):
    """A public appeal full of personal data (or, ``plain``, an ordinary non-public one),
    received and then registered by the service: it gets its number and tracking code."""
    if plain:
        appeal = public_appeal(status="received", is_public=False, **kwargs)
    else:
        appeal = personal_appeal(status="received", **kwargs)
    return services.register(appeal=appeal, actor=None)


def schedule(cabinet, **fields):
    values = {
        "cabinet": cabinet,
        "official": UserFactory(last_name="Приёмов", first_name="Иван"),
        "official_position": "Глава",
        "weekday": ReceptionSchedule.Weekday.TUESDAY,
        "starts_at": dt.time(10, 0),
        "ends_at": dt.time(12, 0),
        "place": "Кабинет 101",
        "topics": "ЖКХ, благоустройство",
        **fields,
    }
    return ReceptionSchedule.objects.create(**values)
