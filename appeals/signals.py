"""Keep the cached work-queue counts honest: saving an appeal bumps the queue version of the
cabinet that holds it and, after forwarding, of the one that held it before."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Appeal
from .selectors import bump_queue_version


@receiver(post_save, sender=Appeal)
@receiver(post_delete, sender=Appeal)
def appeal_changed(sender, instance, **kwargs):
    bump_queue_version(instance.cabinet_id, getattr(instance, "_loaded_cabinet_id", None))
    instance._loaded_cabinet_id = instance.cabinet_id
