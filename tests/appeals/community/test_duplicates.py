from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from appeals.community.selectors import haversine_m
from cabinets.roles import Role
from tests.factories import AppealFactory, member

from .factories import LAT, LON, CategoryFactory, PublicAppealFactory, offset

pytestmark = pytest.mark.django_db


def query(client, **params):
    return client.get(reverse("community:duplicates"), params)


def test_duplicates_same_category_within_150_m_and_90_days_with_similar_words(client):
    potholes, lights = CategoryFactory(), CategoryFactory()
    lat, lon = offset(metres_north=100)
    near = PublicAppealFactory(
        category=potholes, latitude=lat, longitude=lon, subject="Глубокая яма у подъезда"
    )
    lat, lon = offset(metres_east=200)
    PublicAppealFactory(
        category=potholes, latitude=lat, longitude=lon, subject="Яма у остановки"
    )  # too far
    PublicAppealFactory(category=lights, subject="Яма и фонарь")  # another category
    old = PublicAppealFactory(category=potholes, subject="Старая яма")
    type(old).objects.filter(pk=old.pk).update(received_at=timezone.now() - timedelta(days=91))
    from appeals.problems.models import PublicProblem

    PublicProblem.objects.filter(pk=old.pk).update(received_at=timezone.now() - timedelta(days=91))
    AppealFactory(
        is_public=False, category=potholes, latitude=LAT, longitude=LON, subject="Тайная яма"
    )
    PublicAppealFactory(category=potholes, subject="Сломана скамейка")  # no shared word

    response = query(
        client, lat=str(LAT), lon=str(LON), category=potholes.pk, subject="Ямы на дороге"
    )
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["id"] for r in results] == [near.pk]
    assert 95 <= results[0]["distance_m"] <= 105
    assert results[0]["url"] == reverse("problems:detail", args=[near.pk])
    assert results[0]["support_url"] == reverse("community:support", args=[near.pk])
    assert set(results[0]) == {
        "id",
        "subject",
        "category",
        "distance_m",
        "supporters",
        "received",
        "url",
        "support_url",
    }
    # Without subject words, every nearby one of the category counts.
    ids = {
        r["id"]
        for r in query(client, lat=str(LAT), lon=str(LON), category=potholes.pk).json()["results"]
    }
    assert near.pk in ids and len(ids) == 2


@pytest.mark.parametrize(
    "params",
    [
        {"lat": "nan", "lon": "38", "category": "1"},
        {"lat": "inf", "lon": "38", "category": "1"},
        {"lat": "91", "lon": "38", "category": "1"},
        {"lat": "56", "lon": "-181", "category": "1"},
        {"lat": "56", "lon": "38"},
        {"lat": "56", "lon": "38", "category": "ямы"},
        {"lat": "abc", "lon": "38", "category": "1"},
    ],
)
def test_duplicates_bad_input_is_a_400_with_a_reason(client, params):
    response = query(client, **params)
    assert response.status_code == 400
    assert response.json()["fields"]


def test_haversine_is_metres():
    assert round(haversine_m(56.0, 38.0, 56.001, 38.0)) == 111


def test_the_official_sees_likely_duplicates_on_the_card(client):
    potholes = CategoryFactory()
    first = PublicAppealFactory(category=potholes, subject="Яма на Садовой")
    lat, lon = offset(metres_north=40)
    second = AppealFactory(
        cabinet=first.cabinet, status="registered", number="X-2", category=potholes,
        latitude=lat, longitude=lon, subject="Опять яма на Садовой",
    )  # fmt: skip
    head = member(first.cabinet, Role.HEAD)
    client.force_login(head)
    page = client.get(reverse("appeals_service:card", args=[second.pk])).content.decode()
    assert "duplicates-title" in page
    assert reverse("appeals_service:card", args=[first.pk]) in page
    outsider = member(role=Role.HEAD)
    client.force_login(outsider)
    assert client.get(reverse("appeals_service:card", args=[second.pk])).status_code == 404


def test_the_filing_form_offers_duplicate_hints_as_progressive_enhancement(client):
    from tests.factories import CitizenFactory

    client.force_login(CitizenFactory())
    page = client.get(reverse("appeals:file")).content.decode()
    assert 'id="duplicate-hints"' in page and 'aria-live="polite"' in page
    assert reverse("community:duplicates") in page
    assert 'data-distance="{m} m away"' in page or "{m}" in page
    assert "js/duplicate-hints.js" in page


def test_likely_duplicates_are_ranked_then_limited_to_what_the_official_may_see():
    from appeals.community.selectors import DUPLICATE_LIMIT, likely_duplicates
    from tests.factories import CabinetFactory

    potholes = CategoryFactory()
    mine, other = CabinetFactory(), CabinetFactory()
    head = member(mine, Role.HEAD)

    def near(cabinet, metres, **fields):
        lat, lon = offset(metres_north=metres)
        return AppealFactory(
            cabinet=cabinet, status="registered", category=potholes, latitude=lat,
            longitude=lon, subject=fields.pop("subject", "Яма у дома"), **fields,
        )  # fmt: skip

    appeal = near(mine, 0, subject="Яма во дворе")
    hidden = [near(other, 1 + n, is_public=False) for n in range(3)]  # closest: not his
    seen = [near(mine, 20 + n) for n in range(DUPLICATE_LIMIT + 2)]
    near(mine, 10, subject="Сломана скамейка")  # no shared word
    near(mine, 500)  # too far

    found = likely_duplicates(head, appeal)

    assert [row.pk for row, _metres, _shared in found] == [a.pk for a in seen[:DUPLICATE_LIMIT]]
    assert not {a.pk for a in hidden} & {row.pk for row, *_rest in found}
    assert [metres for _row, metres, _shared in found][:2] == [20, 21]


def test_an_appeal_without_author_or_email_offers_no_earlier_answers_of_others(client):
    """R11 part 5 on the card of a paper appeal with neither an author nor an e-mail: a
    likely duplicate answered to someone else may be merged into, but is not an earlier answer
    to this citizen (the card's queries run as prepared statements; a constant False in their
    select list must stay False, not become the text "false")."""
    import re

    from appeals.models import Answer

    potholes = CategoryFactory()
    answered = PublicAppealFactory(category=potholes, status="answered", subject="Яма у дома 5")
    head = member(answered.cabinet, Role.HEAD)
    Answer.objects.create(appeal=answered, text="Ответ", drafted_by=head, signed_at=timezone.now())
    paper = PublicAppealFactory(
        cabinet=answered.cabinet, category=potholes, status="registered", author=None, email="",
        subject="Опять яма у дома 5", executor=head,
    )  # fmt: skip
    client.force_login(head)
    for _visit in range(2):  # prepared on the first visit, executed on the second
        page = client.get(reverse("appeals_service:card", args=[paper.pk])).content.decode()
        earlier = re.search(r'<select name="close_no_merits-earlier".*?</select>', page, re.S)
        merge = re.search(r'<select name="merge-into".*?</select>', page, re.S)
        assert earlier is not None and merge is not None
        assert f'value="{answered.pk}"' not in earlier.group(0)
        assert f'value="{answered.pk}"' in merge.group(0)
