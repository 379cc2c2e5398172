"""Support (R32), ballots and votes (R35): one voice per person is a database constraint."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .cycle import BudgetCycle
from .project import Project


class Support(models.Model):
    """A resident's support for a project during the SUPPORT phase (R32): one per person."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="supports"
    )
    voter_key = models.CharField(_("voter key"), max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "voter_key"],
                name="budgets_support_one_per_person",
                violation_error_message=_("A person supports a project only once."),
            )
        ]

    def __str__(self):
        return f"{self.project} — {self.voter_key[:8]}"


class Channel(models.TextChoices):
    ONLINE = "online", _("Online")
    PAPER = "paper", _("Paper, at the service centre")


class Ballot(models.Model):
    """One person's ballot in a cycle across every channel (R35). Its row is locked while
    votes are counted against K, so parallel requests never exceed it."""

    cycle = models.ForeignKey(
        BudgetCycle, verbose_name=_("cycle"), on_delete=models.PROTECT, related_name="ballots"
    )
    voter_key = models.CharField(_("voter key"), max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="budget_ballots",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    locked_at = models.DateTimeField(_("locked"), null=True, blank=True)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "voter_key"],
                name="budgets_ballot_one_per_person",
                violation_error_message=_("A person votes only once in a cycle."),
            )
        ]

    def __str__(self):
        return f"{self.cycle} — {self.voter_key[:8]}"


class Vote(models.Model):
    """One vote for one project (R35): unique per (project, voter_key) in the database."""

    ballot = models.ForeignKey(
        Ballot, verbose_name=_("ballot"), on_delete=models.PROTECT, related_name="votes"
    )
    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="votes"
    )
    voter_key = models.CharField(_("voter key"), max_length=64)
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.ONLINE
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "voter_key"],
                name="budgets_vote_one_per_person",
                violation_error_message=_("A person votes for a project only once."),
            ),
            models.CheckConstraint(
                condition=models.Q(channel__in=["online", "paper"]),
                name="budgets_vote_channel_valid",
                violation_error_message=_("Choose one of the listed voting channels."),
            ),
        ]

    def __str__(self):
        return f"{self.project} — {self.voter_key[:8]}"
