"""Keep the public projection in step with the appeal (the contract with appeals.community):
saving an appeal creates, refreshes or removes its ``PublicProblem``; signing an answer records
whether it came on time."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from appeals.models import Answer, Appeal

from .sync import sync_public_problem


@receiver(post_save, sender=Appeal)
def appeal_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    sync_public_problem(instance)


@receiver(post_save, sender=Answer)
def answer_saved(sender, instance, raw=False, **kwargs):
    if raw or not instance.is_signed:
        return
    appeal = instance.appeal
    if appeal.is_public:
        sync_public_problem(appeal)
