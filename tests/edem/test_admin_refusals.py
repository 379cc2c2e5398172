"""Issue 19 (1, 2): the admin refuses settings that would break the portal later, each with a
readable message, and never shows a raw constraint name."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from appeals.models import AnswerTemplate, CabinetAppealSettings, Category, RoutingRule
from cabinets.models import Membership, Publication
from cabinets.roles import Role
from edem.geo.models import Territory
from tests.consultations.polls.factories import PollFactory, question
from tests.factories import (
    AppealFactory,
    CabinetFactory,
    TerritoryFactory,
    UserFactory,
    member,
    square,
)
from tests.helpers import form_values

pytestmark = pytest.mark.django_db

RAW_NAMES = (
    "membership_one_active_role",
    "poll_ends_after_start",
    "publication_published_has_time",
)


def errors_of(response):
    """Field -> messages of the admin form on a re-rendered page (the save was refused)."""
    assert response.status_code == 200, "the form was accepted"
    form = response.context["adminform"].form
    html = response.content.decode()
    assert not any(name in html for name in RAW_NAMES)
    return {k: " ".join(v) for k, v in form.errors.items()}


def post_change(client, url, **changes):
    data = form_values(client.get(url).content.decode(), form_id=None)
    data.pop("csrfmiddlewaretoken", None)
    data.update(changes)
    data["_save"] = "Save"
    return client.post(url, data)


# --- Number formats (R4) and answer templates ---------------------------------------------


@pytest.mark.parametrize(
    "number_format, expected",
    [
        ("{foo}-{year", "{"),  # the example: unclosed brace
        ("{foo}-{year}-{seq}", "{foo}"),  # unknown placeholder
        ("{code}-{year}-{seq!s:.2}", "{seq}"),  # a running number cut short would repeat
        ("{code}-{year}", "{seq}"),  # no running number at all
        ("{code}-{year}-{seq:Q}", "Q"),  # a format spec that cannot be applied
        ("{}-{year}-{seq}", "{}"),  # a positional field
    ],
)
def test_a_number_format_that_would_break_registration_is_refused(
    admin_client, number_format, expected
):
    cabinet = CabinetFactory()
    response = admin_client.post(
        "/admin/appeals/cabinetappealsettings/add/",
        {"cabinet": cabinet.pk, "registration": "on_receipt", "number_format": number_format},
    )
    errors = errors_of(response)
    assert expected in errors["number_format"]
    assert not CabinetAppealSettings.objects.exists()


def test_a_well_formed_number_format_with_the_year_is_accepted(admin_client):
    cabinet = CabinetFactory()
    response = admin_client.post(
        "/admin/appeals/cabinetappealsettings/add/",
        {
            "cabinet": cabinet.pk,
            "registration": "on_receipt",
            "number_format": "{code}/{year}-{seq:05d}",
        },
    )
    assert response.status_code == 302
    assert CabinetAppealSettings.objects.get().number_format == "{code}/{year}-{seq:05d}"


@pytest.mark.parametrize(
    "body, expected",
    [
        ("Уважаемый {fio}! Ваше обращение {number}", "{fio}"),
        ("Обращение {number от {date}", "{"),
        ("Обращение {number!r}", "{number}"),
    ],
)
def test_answer_template_placeholders_must_be_known_and_well_formed(admin_client, body, expected):
    response = admin_client.post(
        "/admin/appeals/answertemplate/add/",
        {"title_ru": "Ответ", "body_ru": body, "is_active": "on"},
    )
    assert expected in errors_of(response)["body_ru"]
    assert not AnswerTemplate.objects.exists()


def test_an_answer_template_with_known_placeholders_and_doubled_braces_is_accepted(admin_client):
    body = "Уважаемый(ая) {name}! По обращению {number} от {date} ({subject}) {{см. приложение}}."
    response = admin_client.post(
        "/admin/appeals/answertemplate/add/",
        {"title_ru": "Ответ", "body_ru": body, "is_active": "on"},
    )
    assert response.status_code == 302
    assert AnswerTemplate.objects.get().body == body


# --- Routing ------------------------------------------------------------------------------


def test_a_routing_rule_to_a_cabinet_without_head_or_registrar_is_refused(admin_client):
    empty = CabinetFactory(name="Пустой отдел")
    member(empty, Role.EXECUTOR)  # an executor alone registers nothing
    response = admin_client.post(
        "/admin/appeals/routingrule/add/", {"cabinet": empty.pk, "priority": 0}
    )
    assert "cabinet" in errors_of(response)
    assert not RoutingRule.objects.exists()
    member(empty, Role.REGISTRAR)
    response = admin_client.post(
        "/admin/appeals/routingrule/add/", {"cabinet": empty.pk, "priority": 0}
    )
    assert response.status_code == 302


def test_two_rules_for_one_category_and_territory_at_one_priority_to_different_cabinets_are_refused(
    admin_client,
):
    roads, housing = CabinetFactory(name="Дорожный отдел"), CabinetFactory(name="Отдел ЖКХ")
    member(roads, Role.HEAD), member(housing, Role.REGISTRAR)
    category, territory = Category.objects.create(name="Ямы"), TerritoryFactory()
    RoutingRule.objects.create(category=category, territory=territory, cabinet=roads, priority=5)
    data = {"category": category.pk, "territory": territory.pk, "cabinet": housing.pk}
    response = admin_client.post("/admin/appeals/routingrule/add/", {**data, "priority": 5})
    assert "Дорожный отдел" in errors_of(response)["priority"]
    response = admin_client.post("/admin/appeals/routingrule/add/", {**data, "priority": 6})
    assert response.status_code == 302
    assert RoutingRule.objects.count() == 2


# --- Territories --------------------------------------------------------------------------


def add_territory(client, name, boundary, kind="district", parent=None):
    return client.post(
        "/admin/geo/territory/add/",
        {
            "name_ru": name,
            "kind": kind,
            "parent": parent.pk if parent else "",
            "boundary": json.dumps(boundary),
        },
    )


def test_an_unclosed_ring_is_refused(admin_client):
    open_ring = {
        "type": "Polygon",
        "coordinates": [[[38, 56], [38.1, 56], [38.1, 56.1], [38, 56.1]]],
    }
    response = add_territory(admin_client, "Открытый", open_ring)
    assert "38" in errors_of(response)["boundary"]
    assert not Territory.objects.filter(name="Открытый").exists()


def test_a_self_intersecting_ring_is_refused_with_shapelys_reason(admin_client):
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[38, 56], [38.1, 56.1], [38.1, 56], [38, 56.1], [38, 56]]],
    }
    response = add_territory(admin_client, "Бабочка", bowtie)
    assert "Self-intersection" in errors_of(response)["boundary"]  # explain_validity's words


def test_territories_of_one_kind_may_not_overlap_but_may_share_a_border(admin_client):
    TerritoryFactory(name="Северный", boundary=square(38.0, 56.0, 0.1))
    response = add_territory(admin_client, "Южный", square(38.05, 55.95, 0.1))
    assert "Северный" in errors_of(response)["boundary"]
    assert add_territory(admin_client, "Восточный", square(38.1, 56.0, 0.1)).status_code == 302
    assert (
        add_territory(
            admin_client, "Квартал", square(38.01, 56.01, 0.01), kind="microdistrict"
        ).status_code
        == 302
    )


def test_a_part_must_lie_inside_its_parent(admin_client):
    city = TerritoryFactory(name="Город", kind="municipality", boundary=square(38.0, 56.0, 0.2))
    response = add_territory(admin_client, "Выселки", square(38.15, 56.15, 0.1), parent=city)
    assert "Город" in errors_of(response)["boundary"]
    inside = add_territory(admin_client, "Центр", square(38.0, 56.0, 0.1), parent=city)
    assert inside.status_code == 302
    assert Territory.objects.get(name="Центр").parent == city


def test_the_whole_municipality_is_a_territory_kind():
    assert Territory.Kind.MUNICIPALITY in Territory.Kind.values


def test_editing_a_territory_does_not_count_it_as_overlapping_itself(admin_client):
    north = TerritoryFactory(name="Северный", boundary=square(38.0, 56.0, 0.1))
    url = f"/admin/geo/territory/{north.pk}/change/"
    response = post_change(admin_client, url, name_ru="Северный район")
    assert response.status_code == 302
    north.refresh_from_db()
    assert north.name == "Северный район"


# --- Deleting what appeals use ------------------------------------------------------------


def test_deleting_a_territory_cabinet_or_category_used_by_appeals_is_refused_with_the_list(
    admin_client,
):
    territory = TerritoryFactory(name="Центральный")
    category = Category.objects.create(name="Освещение")
    appeal = AppealFactory(territory=territory, category=category, number="ADM-2026-000001")
    for url in (
        f"/admin/geo/territory/{territory.pk}/delete/",
        f"/admin/cabinets/cabinet/{appeal.cabinet_id}/delete/",
        f"/admin/appeals/category/{category.pk}/delete/",
    ):
        page = admin_client.get(url).content.decode()
        assert "ADM-2026-000001" in page or str(appeal) in page, url
        response = admin_client.post(url, {"post": "yes"})
        assert response.status_code == 200, url  # the confirmation page again, nothing deleted
    appeal.refresh_from_db()
    assert (appeal.territory, appeal.category) == (territory, category)


# --- Polls --------------------------------------------------------------------------------


def poll_draft():
    start = timezone.now() + timedelta(days=3)
    poll = PollFactory(status="draft", starts_at=start, ends_at=start + timedelta(days=20))
    question(poll)
    return poll


def test_a_poll_shorter_than_the_minimum_is_refused_in_the_admin(admin_client):
    poll = poll_draft()
    url = f"/admin/polls/poll/{poll.pk}/change/"
    data = form_values(admin_client.get(url).content.decode())
    ends = poll.starts_at + timedelta(days=2)
    data.update({"ends_at_0": timezone.localtime(ends).strftime("%d.%m.%Y"), "_save": "Save"})
    response = admin_client.post(url, data)
    errors = errors_of(response)
    assert "14" in errors["ends_at"]
    poll.refresh_from_db()
    assert poll.ends_at - poll.starts_at == timedelta(days=20)


def test_a_poll_that_closes_before_it_opens_gets_a_sentence_not_a_constraint_name(admin_client):
    poll = poll_draft()
    url = f"/admin/polls/poll/{poll.pk}/change/"
    data = form_values(admin_client.get(url).content.decode())
    ends = poll.starts_at - timedelta(days=1)
    data.update({"ends_at_0": timezone.localtime(ends).strftime("%d.%m.%Y"), "_save": "Save"})
    assert "ends_at" in errors_of(admin_client.post(url, data))


def test_a_poll_without_questions_is_refused_in_the_admin(admin_client):
    poll = poll_draft()
    url = f"/admin/polls/poll/{poll.pk}/change/"
    data = form_values(admin_client.get(url).content.decode())
    prefix = next(k for k in data if k.endswith("-TOTAL_FORMS") and "question" in k).removesuffix(
        "-TOTAL_FORMS"
    )
    data[f"{prefix}-0-DELETE"] = "on"
    data["_save"] = "Save"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert any(fs.formset.non_form_errors() for fs in response.context["inline_admin_formsets"])
    assert poll.questions.count() == 1


def test_a_choice_question_keeps_two_options_in_the_admin(admin_client):
    poll = poll_draft()
    q = poll.questions.get()
    url = f"/admin/polls/question/{q.pk}/change/"
    data = form_values(admin_client.get(url).content.decode())
    prefix = next(k for k in data if k.endswith("-TOTAL_FORMS")).removesuffix("-TOTAL_FORMS")
    data[f"{prefix}-1-DELETE"] = "on"
    data["_save"] = "Save"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert any(fs.formset.non_form_errors() for fs in response.context["inline_admin_formsets"])
    assert q.options.count() == 2


# --- Constraint messages ------------------------------------------------------------------


def test_a_second_active_membership_in_the_same_role_gets_a_sentence(admin_client):
    cabinet, user = CabinetFactory(), UserFactory()
    Membership.objects.create(cabinet=cabinet, user=user, role=Role.REGISTRAR)
    response = admin_client.post(
        "/admin/cabinets/membership/add/",
        {
            "user": user.pk,
            "cabinet": cabinet.pk,
            "role": Role.REGISTRAR,
            "started_at_0": "01.03.2026",
            "started_at_1": "10:00:00",
        },
    )
    errors = errors_of(response)
    assert errors  # the message written for the constraint, not its name
    assert Membership.objects.count() == 1


def test_a_published_item_without_a_time_gets_a_sentence(admin_client):
    cabinet = CabinetFactory()
    response = admin_client.post(
        "/admin/cabinets/publication/add/",
        {
            "cabinet": cabinet.pk,
            "kind": "news",
            "title_ru": "Новость",
            "body_ru": "Текст",
            "status": "published",
        },
    )
    assert errors_of(response)
    assert not Publication.objects.exists()


def test_every_database_constraint_has_its_own_message():
    from django.apps import apps
    from django.db.models import BaseConstraint

    default = BaseConstraint.default_violation_error_message
    missing = [
        f"{model._meta.label}.{constraint.name}"
        for model in apps.get_models()
        if model._meta.app_label not in ("auth", "admin", "contenttypes", "sessions", "sites")
        for constraint in model._meta.constraints
        if constraint.violation_error_message == default
        and model.__module__.split(".")[0] in ("edem", "appeals", "cabinets", "consultations")
    ]
    assert missing == []


# --- Staffless cabinets (issue 19, point 2) -----------------------------------------------


def test_a_staffless_cabinet_is_flagged_with_its_open_appeals_in_the_admin(admin_client):
    empty = CabinetFactory(name="Бывший отдел")
    appeal = AppealFactory(cabinet=empty, number="OLD-2026-000007", status="registered")
    staffed = CabinetFactory(name="Рабочий отдел")
    member(staffed, Role.HEAD)
    listing = admin_client.get("/admin/cabinets/cabinet/").content.decode()
    assert "Бывший отдел" in listing
    messages = [str(m) for m in listing_messages(admin_client, "/admin/cabinets/cabinet/")]
    assert any("Бывший отдел" in m for m in messages)
    assert not any("Рабочий отдел" in m for m in messages)
    page = admin_client.get(f"/admin/cabinets/cabinet/{empty.pk}/change/")
    texts = [str(m) for m in page.context["messages"]]
    assert any("OLD-2026-000007" in t for t in texts)
    assert appeal.pk


def listing_messages(client, url):
    return list(client.get(url).context["messages"])


def test_a_cabinet_that_loses_its_last_registrar_reports_its_open_appeals_to_the_default_head(
    django_capture_on_commit_callbacks,
):
    from cabinets import services as cabinet_services
    from cabinets.models import Cabinet
    from edem.notifications.models import Notification
    from edem.notifications.services import render

    administration = CabinetFactory(kind=Cabinet.Kind.ADMINISTRATION, name="Администрация")
    chief = member(administration, Role.HEAD, email="chief@example.org")
    housing = CabinetFactory(name="Отдел ЖКХ")
    registrar = member(housing, Role.REGISTRAR)
    AppealFactory(cabinet=housing, number="ZKH-2026-000003", status="registered")
    membership = Membership.objects.get(user=registrar, cabinet=housing)
    with django_capture_on_commit_callbacks(execute=True):
        cabinet_services.end_membership(membership=membership)
    mails = Notification.objects.filter(template="appeals/staffless")
    assert [n.recipient for n in mails] == [chief]
    subject, text, _html = render(mails.get())
    assert "Отдел ЖКХ" in subject and "ZKH-2026-000003" in text
    with django_capture_on_commit_callbacks(execute=True):  # saved again: no second mail
        membership.save()
    assert Notification.objects.filter(template="appeals/staffless").count() == 1


def test_routing_skips_a_cabinet_without_head_or_registrar_and_falls_back(
    django_capture_on_commit_callbacks,
):
    from decimal import Decimal

    from appeals import services
    from appeals.forms import AppealForm
    from cabinets.models import Cabinet
    from tests.factories import CitizenFactory

    administration = CabinetFactory(kind=Cabinet.Kind.ADMINISTRATION, code="adm")
    member(administration, Role.REGISTRAR)
    empty = CabinetFactory(code="empty", name="Отдел без людей")
    member(empty, Role.EXECUTOR)
    category = Category.objects.create(name="Ямы", default_cabinet=empty)
    RoutingRule.objects.create(category=category, cabinet=empty, priority=9)
    assert services.route(category=category) is None
    appeal = services.file_appeal(
        author=CitizenFactory(),
        category=category,
        kind="statement",
        subject="Яма",
        text="Яма во дворе",
        last_name="Петров",
        first_name="Пётр",
        email="p@example.org",
        answer_channel="email",
        latitude=Decimal("50"),
        longitude=Decimal("30"),
    )
    assert appeal.cabinet == administration
    offered = list(AppealForm().fields["cabinet"].queryset)
    assert administration in offered and empty not in offered
