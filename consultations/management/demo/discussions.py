"""Discussions of draft acts (R27–R31): ``fixtures/demo/consultations/discussions.toml``."""

from datetime import timedelta

from django.utils import timezone

from consultations.discussions import services as discussion_services
from consultations.discussions import tasks as discussion_tasks
from consultations.discussions.models import (
    Comment,
    Decision,
    Discussion,
    DiscussionEvent,
    DraftVersion,
    Support,
)

from . import Story, by_language, markdown


class DiscussionStory(Story):
    kind = "discussion"

    def begin(self):
        item, now = self.item, timezone.now()
        cabinet = self.town.cabinets[item["cabinet"]]
        if item.get("propose"):
            return discussion_services.propose_discussion(
                actor=self.actor(),
                cabinet=cabinet,
                title=item["title"],  # a resident's: as written
                summary=item["summary"],
                markdown=markdown(item["text"]),
            )
        return discussion_services.create_discussion(
            actor=self.actor(),
            cabinet=cabinet,
            title=by_language(item, "title"),
            summary=by_language(item, "summary"),
            starts_at=now + timedelta(**item["starts"]),
            ends_at=now + timedelta(**item["ends"]),
            markdown=markdown(item["text"]),
            note=by_language(item, "note"),
        )

    def rows(self):
        d = self.obj
        return (
            Discussion.objects.filter(pk=d.pk),
            DiscussionEvent.objects.filter(discussion=d),
            DraftVersion.objects.filter(discussion=d),
            Comment.objects.filter(discussion=d),
            Support.objects.filter(comment__discussion=d),
            Decision.objects.filter(comment__discussion=d),
        )

    def do_add_version(self, text, note, by=None, note_uk="", note_en=""):
        discussion_services.add_version(
            discussion=self.obj,
            actor=self.actor(by),
            markdown=markdown(text),
            note=by_language({"note": note, "note_uk": note_uk, "note_en": note_en}, "note"),
        )

    def do_submit(self, by=None):
        discussion_services.submit(discussion=self.obj, actor=self.actor(by))

    def do_approve(self, by=None):
        discussion_services.approve(discussion=self.obj, actor=self.actor(by))

    def do_beat(self):
        discussion_tasks.run_discussion_calendar()
        self.obj.refresh_from_db()

    def do_comment(self, paragraph, by, kind, text, show_name=False):
        return discussion_services.add_comment(
            paragraph=self.obj.current_version().paragraphs.get(order=paragraph),
            actor=self.person(by),
            kind=Comment.Kind(kind),
            text=text,
            show_name=show_name,
        )

    def do_support(self, comment, by):
        for short in by:
            discussion_services.support(comment=self.named[comment], actor=self.person(short))

    def do_decide(self, comment, outcome, reason, by=None):
        discussion_services.decide(
            comment=self.named[comment],
            actor=self.actor(by),
            outcome=Decision.Outcome(outcome),
            reason=reason,
        )

    def do_publish_results(self, by=None):
        discussion_services.publish_results(discussion=self.obj, actor=self.actor(by))
