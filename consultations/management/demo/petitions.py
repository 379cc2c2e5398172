"""E-petitions (R22–R26): ``fixtures/demo/consultations/petitions.toml``."""

from consultations.petitions import services as petition_services
from consultations.petitions import signing
from consultations.petitions import tasks as petition_tasks
from consultations.petitions.models import Petition, PetitionEvent, PetitionSettings, Signature

from . import Story


class PetitionStory(Story):
    kind = "petition"

    def actor(self, by=None):
        return self.person(by or self.item["author"])

    def begin(self):
        item = self.item
        return petition_services.create_draft(
            author=self.actor(),
            cabinet=self.town.cabinets[item["cabinet"]],
            title=item["title"],
            text=item["text"],
            proposed_solution=item["proposed_solution"],
            territory=self.town.territories[item["territory"]],
        )

    def rows(self):
        p = self.obj
        return (
            Petition.objects.filter(pk=p.pk),
            PetitionEvent.objects.filter(petition=p),
            Signature.objects.filter(petition=p),
        )

    def do_submit(self, by=None):
        petition_services.submit(petition=self.obj, actor=self.actor(by))

    def do_publish(self):
        moderator = self.town.cabinets[self.item["cabinet"]].head
        self.obj = petition_services.publish(petition=self.obj, actor=moderator)

    def do_sign(self, by):
        for short in by:
            signature = signing.sign(petition=self.obj, user=self.person(short), show_name=True)
            signing.confirm_signature(token=signing.confirmation_token(signature))

    def do_start_consideration(self, by, note):
        petition_services.start_consideration(petition=self.obj, actor=self.person(by), note=note)

    def do_answer(self, by, result, text):
        petition_services.answer(
            petition=self.obj, actor=self.person(by), result=Petition.Result(result), text=text
        )

    def do_beat(self):
        petition_tasks.run_petitions_by_date()


def apply_settings(row):
    """The demo town's statute (R24); no service edits these settings (the admin does)."""
    settings_ = PetitionSettings.load()
    settings_.signature_threshold = row["signature_threshold"]
    settings_.collection_days = row["collection_days"]
    domain = row["unlimited_domain"]
    if domain not in settings_.unlimited_domain_set():
        settings_.unlimited_domains = "\n".join(
            filter(None, [settings_.unlimited_domains.strip(), domain])
        )
    settings_.save()
