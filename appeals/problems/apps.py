from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProblemsConfig(AppConfig):
    """The public side of appeals (issue #4): an appeal published as a public problem, its
    public page, the map and its clustered JSON, the accessible list, moderation of the public
    version, and the home page's problem teaser."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "appeals.problems"
    label = "problems"
    verbose_name = _("Public problems")

    def ready(self):
        # The registry stores to the kernel's outbox model: importable only once apps are loaded.
        from edem.core.events import AppealChanged, subscribe

        # The projection follows every change of an appeal (after commit, through the outbox).
        subscribe(
            AppealChanged,
            "appeals.problems.subscribers.sync_projection",
            name="problems.sync_projection",
        )
