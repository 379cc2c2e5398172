"""Participatory budgeting through its pages: public lists and pages, the submission form that
keeps what was typed, the ballot, the personal cabinet, the service cabinet (404 for
outsiders) and the admin."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image

from cabinets.roles import Role
from consultations.budgets import services, voting
from consultations.budgets.models import BudgetCycle, Photo, Project, Vote
from consultations.budgets.workflow import Phase, ProjectStatus
from tests.factories import CabinetFactory, CitizenFactory, UserFactory, member
from tests.helpers import read_streaming

from .factories import BudgetCategoryFactory, ProjectFactory, VoterFactory, cycle_in

pytestmark = pytest.mark.django_db


def jpeg(name="photo.jpg"):
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def lines_data(*rows, prefix="lines"):
    data = {
        f"{prefix}-TOTAL_FORMS": str(max(len(rows), 1)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, (description, quantity, price) in enumerate(rows):
        data[f"{prefix}-{i}-description"] = description
        data[f"{prefix}-{i}-quantity"] = quantity
        data[f"{prefix}-{i}-unit_price"] = price
    return data


def test_public_pages_lists_filters_and_empty_states(client, django_assert_max_num_queries):
    cycle = cycle_in(Phase.SUBMISSION, title="Бюджет Демограда")
    hidden = cycle_in(Phase.PARAMETERS, title="Черновик", parameters_approved_at=None)
    category = BudgetCategoryFactory(cycle=cycle, name="Дворы")
    for i in range(3):
        ProjectFactory(cycle=cycle, category=category, title=f"Сквер {i}")
    with django_assert_max_num_queries(12):
        html = client.get(reverse("budgets:list")).content.decode()
    assert "Бюджет Демограда" in html and "Черновик" not in html
    html = client.get(reverse("budgets:list"), {"status": "voting"}).content.decode()
    assert "Бюджет Демограда" not in html and 'class="empty-state"' in html
    assert client.get(reverse("budgets:cycle", args=[hidden.pk])).status_code == 404
    html = client.get(reverse("budgets:cycle", args=[cycle.pk])).content.decode()
    assert "Дворы" in html and reverse("budgets:submit", args=[cycle.pk]) in html
    with django_assert_max_num_queries(14):
        html = client.get(reverse("budgets:projects", args=[cycle.pk])).content.decode()
    assert html.count("Сквер ") == 3
    html = client.get(reverse("budgets:projects", args=[cycle.pk]), {"q": "Сквер 1"}).content
    assert "Сквер 1" in html.decode() and "Сквер 2" not in html.decode()
    project = Project.objects.get(title="Сквер 2")
    html = client.get(reverse("budgets:project", args=[project.pk])).content.decode()
    assert "<strong>скамейки</strong>" in html and project.author.email not in html
    results = client.get(reverse("budgets:results", args=[cycle.pk])).content.decode()
    assert 'class="empty-state"' in results


def test_submission_form_keeps_input_and_photos_on_error_then_submits(client):
    cycle = cycle_in(Phase.SUBMISSION, max_project_cost=Decimal("100000"))
    author = VoterFactory()
    client.force_login(author)
    url = reverse("budgets:submit", args=[cycle.pk])
    assert client.get(url).status_code == 200
    data = {
        "title": "",
        "problem": "Нет скамеек у дома № 5",
        "description": "Поставить скамейки",
        "beneficiaries": "Соседи",
        "address": "ул. Речная, 5",
        "latitude": "56.001000",
        "longitude": "38.002000",
        "photos": jpeg(),
        **lines_data(("Скамейка", "2,5", "1000,10")),
    }
    response = client.post(url, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Нет скамеек у дома № 5" in html and "ул. Речная, 5" in html and "Скамейка" in html
    pending = Photo.objects.get(uploaded_by=author)
    assert f'value="{pending.pk}"' in html  # the photo is kept for the next try
    # over the cap (R33): the error comes back with the form, input kept
    data.update(title="Скамейки", photos=[], pending=str(pending.pk))
    data.update(lines_data(("Скамейка", "1000", "1000")))
    response = client.post(url, data)
    assert response.status_code == 400 and "100000" in response.content.decode()
    data.update(lines_data(("Скамейка", "2,5", "1000,10"), ("Урна", "1", "99.99")))
    response = client.post(url, data)
    project = Project.objects.get(title="Скамейки")
    assert response.status_code == 302 and response.url == project.get_absolute_url()
    assert project.cost == Decimal("2600.24")  # 2.5 × 1000.10 = 2500.25, + 99.99
    assert project.latitude == Decimal("56.001000")
    assert list(project.photos.all()) == [pending]
    photo = client.get(reverse("budgets:photo_thumb", args=[pending.pk]))
    assert photo.status_code == 200 and read_streaming(photo)[:2] == b"\xff\xd8"


def test_an_ineligible_resident_sees_the_reason_instead_of_the_form(client):
    cycle = cycle_in(Phase.SUBMISSION)
    client.force_login(CitizenFactory(birth_date=None))
    response = client.get(reverse("budgets:submit", args=[cycle.pk]))
    assert response.status_code == 403
    assert 'role="alert"' in response.content.decode() and "16" in response.content.decode()


def test_vote_page_shows_the_votes_left_and_the_reason_when_refused(client):
    cycle = cycle_in(Phase.VOTING, votes_per_voter=2, min_age=18)
    a, b, c = (ProjectFactory(cycle=cycle, status="accepted", number=n) for n in (1, 2, 3))
    url = reverse("budgets:vote", args=[cycle.pk])
    young = VoterFactory(birth_date=timezone.localdate() - timedelta(days=365 * 17))
    client.force_login(young)
    response = client.post(url, {"projects": [a.pk]})
    assert response.status_code == 400 and not Vote.objects.exists()
    assert "18" in response.content.decode()
    voter = VoterFactory()
    client.force_login(voter)
    assert client.post(url, {"projects": [a.pk, b.pk, c.pk]}).status_code == 400  # K = 2
    assert client.post(url, {"projects": [a.pk]}).status_code == 302
    html = client.get(url).content.decode()
    assert a.title in html and f'value="{a.pk}"' not in html  # already voted: not offered again
    assert f'value="{b.pk}"' in html
    my = client.get(reverse("budgets:my")).content.decode()
    assert a.title in my


def test_author_edits_a_returned_project_and_appeals_a_rejection_through_the_pages(client):
    cycle = cycle_in(Phase.REVIEW)
    reviewer = member(cycle.cabinet, Role.EXECUTOR)
    project = ProjectFactory(cycle=cycle)
    services.review(project=project, actor=reviewer, decision="return", reason="Смета неполная")
    client.force_login(project.author)
    edit_url = reverse("budgets:edit", args=[project.pk])
    html = client.get(edit_url).content.decode()
    assert "Смета неполная" in html and "Работы" in html  # the reason and the existing lines
    data = {
        "title": project.title,
        "problem": project.problem,
        "description": project.description,
        "beneficiaries": project.beneficiaries,
        "address": project.address,
        **lines_data(("Работы", "1", "120000"), ("Доставка", "1", "500")),
    }
    assert client.post(edit_url, data).status_code == 302
    project.refresh_from_db()
    assert project.status == ProjectStatus.SUBMITTED and project.cost == Decimal("120500.00")
    services.review(project=project, actor=reviewer, decision="reject", reason="Нет земли")
    appeal_url = reverse("budgets:appeal", args=[project.pk])
    assert client.post(appeal_url, {"text": "Земля есть"}).status_code == 302
    project.refresh_from_db()
    assert project.status == ProjectStatus.APPEALED
    client.force_login(VoterFactory())  # someone else's project: 404
    assert client.get(edit_url).status_code == 404


@pytest.fixture
def staff():
    cycle = cycle_in(Phase.REVIEW)
    people = {role.value: member(cycle.cabinet, role) for role in Role}
    people["outsider_head"] = member(CabinetFactory(), Role.HEAD)
    people["citizen"] = CitizenFactory()
    return cycle, people


def test_service_cabinet_is_404_for_outsiders_and_reviewers_decide_with_reasons(client, staff):
    cycle, people = staff
    project = ProjectFactory(cycle=cycle, title="Фонтан")
    urls = [
        reverse("budgets_service:cycle", args=[cycle.pk]),
        reverse("budgets_service:queue", args=[cycle.pk]),
        reverse("budgets_service:project", args=[project.pk]),
    ]
    for who in ("outsider_head", "citizen"):
        client.force_login(people[who])
        for url in urls:
            assert client.get(url).status_code == 404, (who, url)
    client.force_login(people["observer"])
    assert "Фонтан" in client.get(urls[1]).content.decode()
    response = client.post(urls[2], {"decision": "accept"})
    assert response.status_code == 400  # an observer may not decide
    client.force_login(people["executor"])
    response = client.post(urls[2], {"decision": "reject", "reason": ""})
    assert response.status_code == 400
    response = client.post(urls[2], {"decision": "reject", "reason": "", "approved_cost": "5"})
    assert 'value="5"' in response.content.decode()
    response = client.post(
        urls[2], {"decision": "accept", "reason": "Реализуемо", "approved_cost": "90000,50"}
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == ProjectStatus.ACCEPTED
    assert project.approved_cost == Decimal("90000.50")


def test_head_creates_a_cycle_with_categories_form_keeps_input_on_bad_dates(client):
    cabinet = CabinetFactory()
    head = member(cabinet, Role.HEAD)
    client.force_login(head)
    url = reverse("budgets_service:new")
    today = timezone.localdate()
    d = lambda n: (today + timedelta(days=n)).isoformat()  # noqa: E731
    data = {
        "title": "Бюджет 2027",
        "year": "2027",
        "cabinet": str(cabinet.pk),
        "total_fund": "1000000",
        "currency": "RUB",
        "votes_per_voter": "5",
        "submission_start": d(1),
        "submission_end": d(10),
        "review_start": d(10),  # R32: overlaps the submission
        "review_end": d(20),
        "voting_start": d(21),
        "voting_end": d(30),
        "eligible_verification": "resident",
        "min_age": "16",
        "categories-TOTAL_FORMS": "2",
        "categories-INITIAL_FORMS": "0",
        "categories-MIN_NUM_FORMS": "0",
        "categories-MAX_NUM_FORMS": "1000",
        "categories-0-name": "Малые",
        "categories-0-fund": "300000",
        "categories-0-max_project_cost": "300000",
        "categories-0-position": "1",
        "categories-1-name": "Большие",
        "categories-1-fund": "700000",
        "categories-1-max_project_cost": "1450000",
        "categories-1-position": "2",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Бюджет 2027" in html and "Малые" in html
    data["review_start"] = d(11)
    response = client.post(url, data)  # a category's cap above its fund
    assert response.status_code == 400
    data["categories-1-max_project_cost"] = "700000"
    response = client.post(url, data)
    cycle = BudgetCycle.objects.get(title="Бюджет 2027")
    assert response.status_code == 302
    assert [c.name for c in cycle.categories.all()] == ["Малые", "Большие"]
    assert not cycle.is_announced
    assert client.get(reverse("budgets:cycle", args=[cycle.pk])).status_code == 404
    client.post(reverse("budgets_service:action", args=[cycle.pk, "approve"]))
    cycle.refresh_from_db()
    assert cycle.is_announced
    assert client.get(reverse("budgets:cycle", args=[cycle.pk])).status_code == 200
    assert client.get(reverse("budgets_service:edit", args=[cycle.pk])).status_code == 302
    # an executor may not create cycles
    client.force_login(member(cabinet, Role.EXECUTOR))
    assert client.get(url).status_code == 404


def test_paper_ballot_results_and_implementation_through_the_service_pages(client):
    cycle = cycle_in(Phase.VOTING, votes_per_voter=2, total_fund=Decimal("150000"))
    head = member(cycle.cabinet, Role.HEAD)
    a = ProjectFactory(cycle=cycle, status="accepted", cost=Decimal("100000"), number=1)
    b = ProjectFactory(cycle=cycle, status="accepted", cost=Decimal("100000"), number=2)
    voter = VoterFactory()
    client.force_login(head)
    paper = reverse("budgets_service:paper", args=[cycle.pk])
    response = client.post(paper, {"voter_email": "nobody@example.org", "projects": [a.pk]})
    assert response.status_code == 400 and "nobody@example.org" in response.content.decode()
    response = client.post(paper, {"voter_email": voter.email, "projects": [a.pk]})
    assert response.status_code == 302
    response = client.post(
        paper,
        {
            "document_kind": "passport",
            "document_number": "AB 123",
            "eligibility_confirmed": "on",
            "projects": [a.pk, b.pk],
        },
    )
    assert response.status_code == 302
    assert Vote.objects.filter(channel="paper").count() == 3
    type(cycle).objects.filter(pk=cycle.pk).update(
        voting_end=timezone.localdate() - timedelta(days=1)
    )
    client.post(reverse("budgets_service:action", args=[cycle.pk, "publish"]))
    a.refresh_from_db(), b.refresh_from_db()
    assert (a.status, a.final_votes, b.status) == ("selected", 2, "not_selected")
    results = client.get(reverse("budgets:results", args=[cycle.pk])).content.decode()
    assert a.title in results and b.title in results and "50" in results
    update_url = reverse("budgets_service:update", args=[a.pk])
    response = client.post(update_url, {"status": "in_progress", "happened_on": "", "text": "x"})
    assert response.status_code == 400
    response = client.post(
        update_url,
        {
            "status": "in_progress",
            "happened_on": timezone.localdate().isoformat(),
            "text": "Завезли **скамейки**",
            "photos": jpeg("work.jpg"),
        },
    )
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert cycle.status == Phase.IMPLEMENTATION
    html = client.get(reverse("budgets:project", args=[a.pk])).content.decode()
    assert "<strong>скамейки</strong>" in html and "budgets/photos/" in html
    assert client.get(reverse("budgets_service:update", args=[b.pk])).status_code == 200


def test_personal_section_and_service_home(client):
    cycle = cycle_in(Phase.VOTING)
    project = ProjectFactory(cycle=cycle, status="accepted")
    voter = VoterFactory()
    voting.cast_votes(cycle=cycle, user=voter, projects=[project])
    with translation.override("en"):
        html = Template('{% include "budgets/_personal_section.html" %}').render(
            Context({"user": voter})
        )
    assert "1 vote cast" in html and reverse("budgets:vote", args=[cycle.pk]) in html
    head = member(cycle.cabinet, Role.HEAD)
    client.force_login(head)
    html = client.get(reverse("budgets_service:home")).content.decode()
    assert cycle.title in html


def test_admin_lists_cycles_projects_review_queue_and_read_only_votes(client):
    cycle = cycle_in(Phase.VOTING)
    project = ProjectFactory(cycle=cycle, status="accepted")
    ProjectFactory(cycle=cycle, title="Ждёт проверки")
    voting.cast_votes(cycle=cycle, user=VoterFactory(), projects=[project])
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    for name in ("budgetcycle", "project", "reviewqueue", "vote", "ballot", "budgetevent"):
        response = client.get(f"/admin/budgets/{name}/")
        assert response.status_code == 200, name
    assert "Ждёт проверки" in client.get("/admin/budgets/reviewqueue/").content.decode()
    vote = Vote.objects.get()
    assert client.get(f"/admin/budgets/vote/{vote.pk}/delete/").status_code == 403
    assert client.get(f"/admin/budgets/budgetcycle/{cycle.pk}/change/").status_code == 200


@pytest.mark.parametrize(
    "phase", [Phase.SUBMISSION, Phase.SUPPORT, Phase.REVIEW, Phase.VOTING, Phase.COUNT]
)
def test_every_page_renders_in_every_phase(client, phase):
    cycle = cycle_in(phase, support=phase == Phase.SUPPORT, support_threshold=75)
    category = BudgetCategoryFactory(cycle=cycle)
    on_ballot = phase in (Phase.VOTING, Phase.COUNT)
    project = ProjectFactory(
        cycle=cycle,
        category=category,
        status="accepted" if on_ballot else "submitted",
        latitude=Decimal("56.01"),
        longitude=Decimal("38.01"),
    )
    head = member(cycle.cabinet, Role.HEAD)
    public = [
        reverse("budgets:list"),
        reverse("budgets:cycle", args=[cycle.pk]),
        reverse("budgets:projects", args=[cycle.pk]),
        reverse("budgets:project", args=[project.pk]),
        reverse("budgets:vote", args=[cycle.pk]),
        reverse("budgets:results", args=[cycle.pk]),
    ]
    for url in public:
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("budgets:my")).status_code == 302  # sign in first
    client.force_login(project.author)
    for url in [*public, reverse("budgets:my")]:
        assert client.get(url).status_code == 200, url
    submit = client.get(reverse("budgets:submit", args=[cycle.pk]))
    assert submit.status_code == (200 if phase == Phase.SUBMISSION else 403)
    edit = client.get(reverse("budgets:edit", args=[project.pk]))
    assert edit.status_code == (200 if phase == Phase.SUBMISSION else 302)
    client.force_login(head)
    for url in (
        reverse("budgets_service:home"),
        reverse("budgets_service:new"),
        reverse("budgets_service:cycle", args=[cycle.pk]),
        reverse("budgets_service:queue", args=[cycle.pk]),
        reverse("budgets_service:project", args=[project.pk]),
        reverse("budgets_service:paper", args=[cycle.pk]),
        reverse("budgets_service:update", args=[project.pk]),
    ):
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("budgets_service:edit", args=[cycle.pk])).status_code == 302


def test_list_views_make_a_constant_number_of_queries(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cycle = cycle_in(Phase.REVIEW)
    category = BudgetCategoryFactory(cycle=cycle)
    head = member(cycle.cabinet, Role.HEAD)
    client.force_login(head)
    urls = [
        reverse("budgets:list"),
        reverse("budgets:projects", args=[cycle.pk]),
        reverse("budgets:vote", args=[cycle.pk]),
        reverse("budgets:my"),
        reverse("budgets_service:home"),
        reverse("budgets_service:queue", args=[cycle.pk]),
    ]

    def counts():
        result = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            result.append(len(queries))
        return result

    ProjectFactory(cycle=cycle, category=category, author=head)
    few = counts()
    for _ in range(6):
        ProjectFactory(cycle=cycle, category=category, author=head)
        ProjectFactory(cycle=cycle_in(Phase.SUBMISSION, cabinet=cycle.cabinet), author=head)
    assert counts() == few
