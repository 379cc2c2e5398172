"""What the public projection does when an appeal changes (subscribed in ``apps.py``): every
line of an appeal's history (``AppealChanged`` and its subclasses) brings the appeal's
``PublicProblem`` up to date, creating or removing it as ``Appeal.is_public`` says."""

from appeals.models import Appeal

from .sync import sync_public_problem


def sync_projection(event):
    appeal = Appeal.objects.filter(pk=event.appeal_id).first()
    if appeal is not None:
        sync_public_problem(appeal)
