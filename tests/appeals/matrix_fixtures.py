"""The one scenario the authorisation matrix walks (tests/appeals/test_authorisation_matrix.py).

Three cabinets: A holds the appeals, B forwarded them to A (through the real
``services.forward``), C has nothing to do with them. Every appeal is written by the same
author and passed through B, so B's head is "a member of the cabinet it was forwarded from"
for each of them. The appeals stand at the stages the actions start from:

* ``main``: answered. One attachment (an image, so it has a thumbnail), one confirmed
  co-signer, an executor of A assigned, an internal note, a signed answer with its PDF letter.
* ``received``: just arrived in A, not yet registered (register, forward).
* ``in_work``: registered in A and assigned to A's executor, with a pending co-signing
  invitation for the co-signer (assign, extend, draft, close, withdraw, invite, materials,
  notes, co-signing).
* ``drafted``: in work with an answer draft (sign).

Everything is built through the services, as the portal would; nothing is written directly.
"""

import io
import time
from dataclasses import dataclass, field

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from appeals import services
from appeals.models import Appeal
from cabinets.roles import Role
from tests.factories import (
    TOTP_SECRET,
    AppealFactory,
    CabinetFactory,
    CitizenFactory,
    UserFactory,
    add_totp,
    classifier_code,
    member,
)

# The personas, in the column order of the expectation tables.
PERSONAS = (
    "anonymous",
    "author",
    "cosigner",
    "citizen",  # another citizen, nothing to do with the appeal
    "a_registrar",
    "a_executor",  # the executor assigned to the appeals of A
    "a_executor_other",  # an executor of A who is not assigned
    "a_head",
    "a_observer",
    "b_head",  # head of the cabinet the appeals were forwarded from: read-only
    "c_head",  # head of an unrelated cabinet
    "admin",  # superuser and Django staff, member of no cabinet
)

# Distinct values, so that "is it on the page?" cannot match by accident.
AUTHOR = {
    "last_name": "Авторова",
    "first_name": "Анфиса",
    "patronymic": "Серафимовна",
    "email": "avtorova@example.org",
}
PERSONAL_DATA = {
    "postal_address": "Демоград, ул. Приватная, д. 7, кв. 13",
    "phone": "+7 900 555-01-77",
}
COSIGNER_EMAIL = "sopodpisant@example.org"
NOTE_TEXT = "Внутренняя заметка: проверить подрядчика ООО «Дорстрой»"
ANSWER_TEXT = "Уважаемая Анфиса Серафимовна! Яму во дворе заделали 12 марта."
APPEAL_TEXT = "Во дворе дома № 7 по ул. Приватной глубокая яма, в неё упал ребёнок."
SUBJECTS = {
    "main": "Яма во дворе (основное обращение)",
    "received": "Не горят фонари (только поступило)",
    "in_work": "Не вывозят мусор (в работе)",
    "drafted": "Сломана скамейка (ответ подготовлен)",
}


def otp_now(secret=TOTP_SECRET):
    """The current code of the authenticator every staff persona has."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def image_upload(name="photo.jpg"):
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 200)).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


@dataclass
class World:
    cabinet_a: object
    cabinet_b: object
    cabinet_c: object
    people: dict  # persona -> User (anonymous -> None)
    appeals: dict = field(default_factory=dict)  # stage -> Appeal (as built; reload to read)
    attachment: object = None  # of the main appeal
    answer: object = None  # the signed answer of the main appeal
    cosign_token: str = ""  # the confirmed co-signer of the main appeal
    pending_token: str = ""  # the co-signer's pending invitation to the in_work appeal
    media_root: object = None  # where the scenario's letters and files are stored

    def appeal(self, stage):
        """The appeal at ``stage`` as it is in the database now."""
        return Appeal.objects.get(pk=self.appeals[stage].pk)


def _people(a, b, c):
    people = {
        "anonymous": None,
        "author": CitizenFactory(**AUTHOR),
        "cosigner": CitizenFactory(
            email=COSIGNER_EMAIL, last_name="Соподписантов", first_name="Борис"
        ),
        "citizen": CitizenFactory(last_name="Посторонний", first_name="Виктор"),
        "a_registrar": member(a, Role.REGISTRAR, last_name="Регистраторова"),
        "a_executor": member(a, Role.EXECUTOR, last_name="Исполнителев"),
        "a_executor_other": member(a, Role.EXECUTOR, last_name="Другоисполнителев"),
        "a_head": member(a, Role.HEAD, last_name="Громов", first_name="Алексей"),
        "a_observer": member(a, Role.OBSERVER, last_name="Наблюдателев"),
        "b_head": member(b, Role.HEAD, last_name="Бэшкин"),
        "c_head": member(c, Role.HEAD, last_name="Цэшкин"),
        "admin": UserFactory(is_superuser=True, is_staff=True, last_name="Админов"),
    }
    add_totp(people["admin"])  # staff pages need a second factor: the admin has one too
    return people


def _arrive_in_a(world, stage):
    """Filed to B, registered there, forwarded by B's head to A (R5): received in A."""
    people = world.people
    appeal = AppealFactory(
        cabinet=world.cabinet_b,
        author=people["author"],
        subject=SUBJECTS[stage],
        text=APPEAL_TEXT,
        patronymic=AUTHOR["patronymic"],
        **PERSONAL_DATA,
    )
    appeal = services.register(appeal=appeal, actor=people["b_head"])
    appeal = services.forward(
        appeal=appeal,
        actor=people["b_head"],
        to_cabinet=world.cabinet_a,
        reason="Вопрос в компетенции управления А",
    )
    world.appeals[stage] = appeal
    return appeal


def _to_work(world, appeal):
    people = world.people
    appeal = services.register(appeal=appeal, actor=people["a_registrar"])
    return services.assign(appeal=appeal, actor=people["a_head"], executor=people["a_executor"])


def build_world():
    a = CabinetFactory(name="Управление А (держатель)")
    b = CabinetFactory(name="Управление Б (переслало)")
    c = CabinetFactory(name="Управление В (постороннее)")
    world = World(cabinet_a=a, cabinet_b=b, cabinet_c=c, people=_people(a, b, c))
    people = world.people
    author = people["author"]

    _arrive_in_a(world, "received")

    appeal = _to_work(world, _arrive_in_a(world, "in_work"))
    (pending,) = services.invite_cosigners(appeal=appeal, actor=author, emails=[COSIGNER_EMAIL])
    world.pending_token = pending.token

    appeal = _to_work(world, _arrive_in_a(world, "drafted"))
    services.draft_answer(
        appeal=appeal,
        actor=people["a_executor"],
        text="Скамейку починим.",
        result="explained",
        classifier=classifier_code(),
    )

    appeal = _arrive_in_a(world, "main")
    upload = services.store_upload(upload=image_upload(), actor=author)
    services.add_materials(appeal=appeal, actor=author, attachments=[upload], note="Фото ямы")
    (invitation,) = services.invite_cosigners(appeal=appeal, actor=author, emails=[COSIGNER_EMAIL])
    services.confirm_cosign(token=invitation.token, actor=people["cosigner"])
    world.cosign_token = invitation.token
    appeal = _to_work(world, appeal)
    services.add_note(appeal=appeal, actor=people["a_head"], text=NOTE_TEXT)
    services.draft_answer(
        appeal=appeal,
        actor=people["a_executor"],
        text=ANSWER_TEXT,
        result="explained",
        classifier=classifier_code(),
    )
    world.answer = services.sign_answer(appeal=appeal, actor=people["a_head"], otp_code=otp_now())
    world.attachment = appeal.attachments.get()
    return world
