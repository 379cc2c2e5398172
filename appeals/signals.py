"""Keep the cached work-queue counts honest: saving an appeal bumps the queue version of the
cabinet that holds it and, after forwarding, of the one that held it before. A membership
that ends may leave a cabinet without staff: its open appeals are reported (``staffing``)."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from cabinets.models import Membership
from cabinets.selectors import RECEIVING_ROLES

from .models import Appeal
from .selectors import bump_queue_version
from .staffing import report_staffless


@receiver(post_save, sender=Appeal)
@receiver(post_delete, sender=Appeal)
def appeal_changed(sender, instance, **kwargs):
    bump_queue_version(instance.cabinet_id, getattr(instance, "_loaded_cabinet_id", None))
    instance._loaded_cabinet_id = instance.cabinet_id


@receiver(post_save, sender=Membership)
def membership_changed(sender, instance, **kwargs):
    """A head or registrar leaving (or changing role) may leave the cabinet with nobody to
    register its appeals: checked once the whole change is committed, so that a replacement
    saved in the same form counts."""
    if instance.ended_at is None and instance.role in RECEIVING_ROLES:
        return
    cabinet = instance.cabinet
    transaction.on_commit(lambda: report_staffless(cabinet=cabinet), robust=True)
