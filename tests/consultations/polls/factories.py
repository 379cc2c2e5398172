"""Factories for polls; shared setup lives here, never copied into tests."""

from datetime import timedelta

import factory
from django.utils import timezone

from consultations.polls.models import InitiatorKind, Option, Poll, Question
from consultations.polls.workflow import Status
from tests.factories import CabinetFactory


class PollFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Poll

    cabinet = factory.SubFactory(CabinetFactory)
    initiator_kind = InitiatorKind.CABINET
    title = factory.Sequence(lambda n: f"Опрос № {n}")
    description = "Как **благоустроить** сквер?"
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(days=14))
    status = Status.ACTIVE


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    poll = factory.SubFactory(PollFactory)
    order = factory.Sequence(lambda n: n)
    text = factory.Sequence(lambda n: f"Вопрос {n}")
    kind = Question.Kind.SINGLE
    required = True


class OptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Option

    question = factory.SubFactory(QuestionFactory)
    order = factory.Sequence(lambda n: n)
    text = factory.Sequence(lambda n: f"Вариант {n}")


def question(poll, kind=Question.Kind.SINGLE, options=("Да", "Нет"), **fields):
    """A question of ``kind`` in ``poll`` with the given options (none for scale and text)."""
    q = QuestionFactory(poll=poll, kind=kind, **fields)
    if kind in Question.CHOICE_KINDS:
        for i, text in enumerate(options, 1):
            OptionFactory(question=q, order=i, text=text)
    return q


def opts(q):
    """The option ids of a question, in order."""
    return list(q.options.order_by("order").values_list("pk", flat=True))


def outbox(email, event, poll=None):
    """The text bodies of the poll notifications of ``event`` queued for ``email``."""
    from edem.notifications.models import Notification
    from edem.notifications.services import render

    rows = Notification.objects.filter(email=email, template="polls/status", context__event=event)
    if poll is not None:
        rows = rows.filter(key__startswith=f"poll:{poll.pk}:")
    return [render(n)[1] for n in rows]
