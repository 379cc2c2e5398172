"""Polls and surveys (R27–R31): ``fixtures/demo/consultations/polls.toml``."""

from datetime import timedelta

from django.utils import timezone

from consultations.polls import services as poll_services
from consultations.polls import tasks as poll_tasks
from consultations.polls.models import (
    Answer,
    Ballot,
    InitiatorKind,
    Poll,
    PollEvent,
    Question,
    ResultsVisibility,
)

from . import Story, by_language

OPTIONS = ("options", "options_uk", "options_en")


class PollStory(Story):
    kind = "poll"

    def begin(self):
        item, now = self.item, timezone.now()
        cabinet = self.town.cabinets[item["cabinet"]]
        if item.get("propose"):
            (question,) = item["question"]
            return poll_services.propose_poll(
                actor=self.actor(),
                cabinet=cabinet,
                initiator_kind=InitiatorKind(item["initiator_kind"]),
                title=item["title"],
                description=item["description"],
                starts_at=now + timedelta(**item["starts"]),
                ends_at=now + timedelta(**item["ends"]),
                question_text=question["text"],
                question_kind=Question.Kind(question["kind"]),
                options=question["options"],
            )
        poll = poll_services.create_poll(
            actor=self.actor(),
            cabinet=cabinet,
            title=by_language(item, "title"),
            description=by_language(item, "description"),
            starts_at=now + timedelta(**item["starts"]),
            ends_at=now + timedelta(**item["ends"]),
            results_visibility=ResultsVisibility(item["results_visibility"]),
        )
        self.questions = {}
        for row in item["question"]:
            fields = {k: v for k, v in row.items() if not k.endswith(("_uk", "_en"))}
            key, kind = fields.pop("key"), Question.Kind(fields.pop("kind"))
            fields["text"] = by_language(row, "text")
            if "help_text" in row:
                fields["help_text"] = by_language(row, "help_text")
            if "options" in row:
                fields["options"] = [
                    by_language(dict(zip(OPTIONS, texts, strict=True)), "options")
                    for texts in zip(
                        *(row.get(name) or [""] * len(row["options"]) for name in OPTIONS),
                        strict=True,
                    )
                ]
            question = poll_services.save_question(
                poll=poll, actor=self.actor(), kind=kind, **fields
            )
            options = list(question.options.order_by("order").values_list("pk", flat=True))
            self.questions[key] = (question, options)
        return poll

    def rows(self):
        p = self.obj
        return (
            Poll.objects.filter(pk=p.pk),
            PollEvent.objects.filter(poll=p),
            Ballot.objects.filter(poll=p),
            Answer.objects.filter(ballot__poll=p),
        )

    def do_schedule(self, by=None):
        poll_services.schedule(poll=self.obj, actor=self.actor(by))

    def do_beat(self):
        poll_tasks.advance_polls()

    def _answer(self, key, value):
        question, options = self.questions[key]
        match question.kind:
            case Question.Kind.SINGLE:
                return options[value]
            case Question.Kind.MULTIPLE:
                return [options[i] for i in value]
            case Question.Kind.RANKING:  # the rank of each option, in the options' order
                return {options[i]: rank for i, rank in enumerate(value)}
        return value  # scale, text

    def do_ballot(self, by, answers):
        return poll_services.cast_ballot(
            poll=self.obj,
            voter=self.person(by),
            answers={
                self.questions[key][0].pk: self._answer(key, value)
                for key, value in answers.items()
            },
        )

    def do_moderate(self, question, skip=(), reject=(), reject_note="", by=None):
        rejected = {self.named[name].pk for name in reject}
        answers = Answer.objects.filter(question=self.questions[question][0]).exclude(
            ballot__in=[self.named[name].pk for name in skip]
        )
        for answer in answers:
            is_rejected = answer.ballot_id in rejected
            poll_services.moderate_text(
                answer=answer,
                actor=self.actor(by),
                approve=not is_rejected,
                note=reject_note if is_rejected else "",
            )

    def do_publish_results(self, decision, by=None, decision_uk="", decision_en=""):
        poll_services.publish_results(
            poll=self.obj,
            actor=self.actor(by),
            decision=by_language(
                {"decision": decision, "decision_uk": decision_uk, "decision_en": decision_en},
                "decision",
            ),
        )
