"""The list and the problem page: constant query counts, sorting, the timeline; moderation is
logged and keeps the original."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from appeals.models import Appeal, AppealEvent
from appeals.problems import services
from appeals.problems.models import Moderation, PublicProblem
from cabinets.roles import Role
from tests.factories import CabinetFactory, member
from tests.helpers import appeal_changed

from .helpers import photo, public_appeal

pytestmark = pytest.mark.django_db


def status(client, url):
    response = client.get(url)
    if response.streaming:  # read it through, which closes the file
        b"".join(response.streaming_content)
    return response.status_code


def queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_list_issues_a_constant_number_of_queries(client):
    public_appeal()
    url = reverse("problems:list")
    client.get(url)  # warm the cached count
    few = queries(client, url)
    for _ in range(8):
        public_appeal()
    client.get(url)
    assert queries(client, url) == few


def test_problem_page_issues_a_constant_number_of_queries(client, settings):
    settings.EDEM_PAGE_CACHE = False  # the rendering's queries, not a whole page from the cache
    appeal = public_appeal()
    url = reverse("problems:detail", args=[appeal.pk])
    few = queries(client, url)
    for _ in range(3):
        photo(appeal)
    for action in ("register", "extend", "forward"):
        AppealEvent.objects.create(
            appeal=appeal, action=action, data={"new_due": "2026-12-01", "to_cabinet_name": "X"}
        )
    assert queries(client, url) == few


def test_list_sorts_by_support(client):
    low = public_appeal(subject="Мало поддержки")
    high = public_appeal(subject="Много поддержки")
    PublicProblem.objects.filter(pk=high.pk).update(support_count=7)
    PublicProblem.objects.filter(pk=low.pk).update(support_count=1)
    body = client.get(reverse("problems:list"), {"sort": "support"}).content.decode()
    assert body.index("Много поддержки") < body.index("Мало поддержки")
    body = client.get(reverse("problems:list"), {"sort": "new"}).content.decode()
    assert body.index("Много поддержки") < body.index("Мало поддержки")  # newer too
    assert 'aria-sort="descending"' in body


def test_list_filters_and_empty_state(client):
    public_appeal(status="answered", subject="Отвечено")
    public_appeal(status="registered", subject="Новое")
    body = client.get(reverse("problems:list"), {"status": "answered"}).content.decode()
    assert "Отвечено" in body and "Новое" not in body
    body = client.get(reverse("problems:list"), {"status": "closed"}).content.decode()
    assert "Отвечено" not in body and "Новое" not in body
    assert 'class="empty-state"' in body


def test_public_timeline_in_plain_words_without_notes(client):
    appeal = public_appeal()
    AppealEvent.objects.create(appeal=appeal, action="register", note="Внутренняя заметка")
    AppealEvent.objects.create(
        appeal=appeal, action="forward", data={"to_cabinet_name": "Управление дорог"}
    )
    AppealEvent.objects.create(appeal=appeal, action="assign", is_public=False)
    body = client.get(reverse("problems:detail", args=[appeal.pk])).content.decode()
    timeline = body[body.index('<ol class="timeline">') :]
    timeline = timeline[: timeline.index("</ol>")]
    assert timeline.count("<li>") == 2  # register and forward; the internal "assign" is not public
    assert "Управление дорог" in timeline
    assert "Внутренняя заметка" not in body


def test_map_page_and_territory_layer(client):
    assert client.get(reverse("map:index")).status_code == 200
    data = client.get(reverse("map:territories_json")).json()
    assert data["type"] == "FeatureCollection"


def _moderator(appeal, role=Role.EXECUTOR):
    return member(cabinet=appeal.cabinet, role=role)


def test_moderation_hides_a_photo_and_is_logged(client):
    appeal = public_appeal()
    attachment = photo(appeal)
    official = _moderator(appeal)
    client.force_login(official)
    url = reverse("problems_service:moderate", args=[appeal.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"action": "hide_photo", "attachment": attachment.pk, "reason": ""})
    assert response.status_code == 400  # the reason is required
    response = client.post(
        url, {"action": "hide_photo", "attachment": attachment.pk, "reason": "Номер машины"}
    )
    assert response.status_code == 302
    client.logout()
    public = reverse("problems:photo", args=[appeal.pk, attachment.pk])
    assert status(client, public) == 404
    entry = Moderation.objects.get(appeal=appeal)
    assert entry.action == "hide_photo" and entry.note == "Номер машины"
    assert entry.actor == official
    with pytest.raises(ValueError):
        entry.save()  # immutable
    assert appeal.attachments.filter(pk=attachment.pk).exists()  # the case file keeps it


def test_moderation_redacts_a_passage_and_keeps_the_original(client):
    appeal = public_appeal(text="Яма у дома. Сосед Вася опять пьян. Просим засыпать.")
    official = _moderator(appeal)
    services.redact(
        actor=official,
        problem=PublicProblem.objects.get(pk=appeal.pk),
        passage="Сосед Вася опять пьян.",
        reason="Оскорбление",
    )
    body = client.get(reverse("problems:detail", args=[appeal.pk])).content.decode()
    assert "Сосед Вася" not in body and "Просим засыпать." in body
    assert Appeal.objects.get(pk=appeal.pk).text.count("Сосед Вася") == 1  # original untouched
    # a later save of the appeal keeps the redaction
    appeal = Appeal.objects.get(pk=appeal.pk)
    appeal.status = "in_work"
    appeal.save()
    appeal_changed(appeal)
    assert "Сосед Вася" not in PublicProblem.objects.get(pk=appeal.pk).text
    assert Moderation.objects.filter(appeal=appeal, action="redact").count() == 1


def test_moderation_only_by_staff_of_the_holding_cabinet(client):
    appeal = public_appeal()
    for user in (member(cabinet=CabinetFactory()), _moderator(appeal, role=Role.OBSERVER)):
        client.force_login(user)
        url = reverse("problems_service:moderate", args=[appeal.pk])
        assert status(client, url) == 404
        client.post(url, {"action": "redact", "passage": "Яма", "reason": "x"})
    assert not Moderation.objects.exists()


def test_supported_by_me_filter_reads_community_support(client):
    from django.apps import apps

    try:
        support = apps.get_model("community", "Support")
    except LookupError:
        pytest.skip("appeals.community has no Support model yet")
    supported = public_appeal(subject="Поддержанная")
    public_appeal(subject="Чужая")
    reader = supported.author
    support.objects.create(appeal=supported, user=reader)
    client.force_login(reader)
    body = client.get(reverse("problems:list"), {"supported": "on"}).content.decode()
    assert "Поддержанная" in body and "Чужая" not in body
    client.logout()
    body = client.get(reverse("problems:list"), {"supported": "on"}).content.decode()
    assert "Чужая" in body  # anonymous: the filter is not offered and is ignored


def test_admin_lists_are_read_only(admin_client):
    appeal = public_appeal()
    official = _moderator(appeal)
    services.hide_photo(
        actor=official,
        problem=PublicProblem.objects.get(pk=appeal.pk),
        attachment=photo(appeal),
        reason="Лицо прохожего",
    )
    for name in ("publicproblem", "moderation"):
        url = reverse(f"admin:problems_{name}_changelist")
        assert admin_client.get(url).status_code == 200
        assert admin_client.get(reverse(f"admin:problems_{name}_add")).status_code == 403
