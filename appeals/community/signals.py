"""A new PublicProblem (the problems app's projection, kept by its own signal) makes its author
a follower. Runs in the caller's transaction, in a savepoint: a failure is logged and never
stops the appeal's workflow. (Public history lines reach followers through
``services.alert_followers``, called by the appeals services.)"""

import logging

from django.db import transaction
from django.db.models.signals import post_save

logger = logging.getLogger(__name__)


def problem_saved(sender, instance, created, raw=False, **kwargs):
    if not created or raw:
        return
    from . import services

    try:
        with transaction.atomic():
            services.on_problem_created(instance)
    except Exception:
        logger.exception("The author of public problem %s could not follow it", instance.pk)


post_save.connect(
    problem_saved, sender="problems.PublicProblem", dispatch_uid="community_problem_created"
)
