import io

import pytest
from pypdf import PdfReader

from appeals import services
from appeals.answer_templates import templates_for
from appeals.letters import registration_card_pdf
from appeals.models import AnswerTemplate, Category
from cabinets.roles import Role
from tests.factories import AppealFactory, CabinetFactory, member

pytestmark = pytest.mark.django_db


def test_answer_template_fills_placeholders_and_keeps_unknown_ones():
    cabinet = CabinetFactory()
    roads = Category.objects.create(name="Дороги")
    appeal = services.register(
        appeal=AppealFactory(
            cabinet=cabinet, category=roads, first_name="Мария", patronymic="Петровна"
        ),
        actor=member(cabinet, Role.REGISTRAR),
    )
    specific = AnswerTemplate.objects.create(
        title="Ремонт",
        category=roads,
        body="Уважаемая {name}! По обращению № {number} от {date}: {unknown}.",
    )
    general = AnswerTemplate.objects.create(title="Общий", body="Ответ {cabinet}")
    AnswerTemplate.objects.create(
        title="Чужой", category=Category.objects.create(name="Другое"), body="x"
    )
    assert list(templates_for(appeal)) == [specific, general]
    text = specific.render(appeal)
    assert text.startswith("Уважаемая Мария Петровна! По обращению № " + appeal.number)
    assert "{unknown}" in text


def test_registration_card_pdf_has_the_number_and_the_citizen():
    cabinet = CabinetFactory(name="Администрация города Демограда")
    appeal = services.register(
        appeal=AppealFactory(cabinet=cabinet), actor=member(cabinet, Role.REGISTRAR)
    )
    text = " ".join(
        p.extract_text() for p in PdfReader(io.BytesIO(registration_card_pdf(appeal))).pages
    )
    text = " ".join(text.split())
    assert (
        appeal.number in text
        and appeal.last_name in text
        and "Администрация города Демограда" in text
    )
