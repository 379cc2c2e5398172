from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    """What residents do around public problems (issue #4): support, comments, following and
    area alerts, duplicate hints, and "still not fixed" requests."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "appeals.community"
    label = "community"
    verbose_name = _("Residents around public problems")

    def ready(self):
        # The registry stores to the kernel's outbox model: importable only once apps are loaded.
        from edem.core.events import AppealChanged, ProblemPublished, subscribe

        # Followers hear of the public steps of an appeal; a newly public problem's author
        # follows it. Both after commit, through the outbox (retried, never breaking the write).
        subscribe(
            AppealChanged,
            "appeals.community.subscribers.alert_followers",
            name="community.alert_followers",
        )
        subscribe(
            ProblemPublished,
            "appeals.community.subscribers.author_follows",
            name="community.author_follows",
        )
