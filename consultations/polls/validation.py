"""The rules of R29 that the service applies when a poll is scheduled, as form errors for the
admin: the voting period's bounds and questions that can be answered."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import Question
from .services import MAX_OPTIONS, max_days, min_days


def validate_period(starts_at, ends_at):
    """Voting closes after it opens and lasts between the configured minimum and maximum."""
    if starts_at is None or ends_at is None:
        return
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("Voting must close after it opens.")})
    length = ends_at - starts_at
    if length < timedelta(days=min_days()) or length > timedelta(days=max_days()):
        raise ValidationError(
            {
                "ends_at": _("Voting lasts from %(min)d to %(max)d days.")
                % {"min": min_days(), "max": max_days()}
            }
        )


def validate_choices(kind, min_choices, max_choices, n_options=None):
    """A choice question offers at least two options and asks for a possible number of
    choices; ``n_options`` is None where the options are not known yet."""
    if kind in Question.CHOICE_KINDS and n_options is not None:
        if n_options < 2:
            raise ValidationError(_("A choice question needs at least two options."))
        if n_options > MAX_OPTIONS:
            raise ValidationError(_("A question has at most 30 options."))
    if kind != Question.Kind.MULTIPLE:
        return
    if min_choices is not None and max_choices is not None and min_choices > max_choices:
        raise ValidationError(_("The least number of choices is larger than the largest."))
    if max_choices == 0:
        raise ValidationError(_("At most zero choices leaves nothing to choose."))
    if n_options is not None and any(
        n is not None and n > n_options for n in (min_choices, max_choices)
    ):
        raise ValidationError(_("The question asks for more choices than it has options."))
