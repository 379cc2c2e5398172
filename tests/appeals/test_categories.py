"""Grouped categories: the top-level categories are the groups of their sub-categories in the
filing form, the public problem list's filter, the officials' queue and the admin."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from appeals.categories import CategoryChoiceField, category_ids, grouped_choices
from appeals.forms import AppealForm
from appeals.models import Category
from appeals.problems.selectors import filtered
from tests.appeals.problems.helpers import public_appeal
from tests.factories import CitizenFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    roads = Category.objects.create(name="Дороги", order=2)
    yards = Category.objects.create(name="Дворы", order=1)
    other = Category.objects.create(name="Другое", order=9)
    return {
        "roads": roads,
        "yards": yards,
        "other": other,
        "pits": Category.objects.create(name="Ямы", parent=roads, order=2),
        "signs": Category.objects.create(name="Знаки", parent=roads, order=1),
        "lamps": Category.objects.create(name="Освещение", parent=yards),
    }


def test_grouped_choices_put_sub_categories_under_their_parent_in_order(tree):
    choices = grouped_choices(Category.objects.all())
    assert choices == [
        ("Дворы", [(tree["lamps"].pk, "Освещение")]),
        ("Дороги", [(tree["signs"].pk, "Знаки"), (tree["pits"].pk, "Ямы")]),
        (tree["other"].pk, "Другое"),
    ]
    whole = grouped_choices(Category.objects.all(), whole_groups=True, group_label="all %(group)s")
    assert whole[1] == (
        "Дороги",
        [(tree["roads"].pk, "all Дороги"), (tree["signs"].pk, "Знаки"), (tree["pits"].pk, "Ямы")],
    )


def test_filing_form_shows_optgroups_and_refuses_a_group(tree):
    form = AppealForm(user=CitizenFactory())
    html = str(form["category"])
    assert '<optgroup label="Дороги">' in html
    assert re.search(rf'<optgroup label="Дворы">\s*<option value="{tree["lamps"].pk}"', html)
    field = form.fields["category"]
    assert isinstance(field, CategoryChoiceField)
    with translation.override("en"), pytest.raises(Exception, match="group") as error:
        field.clean(str(tree["roads"].pk))
    assert error.value.code == "group"
    assert field.clean(str(tree["pits"].pk)) == tree["pits"]
    assert field.clean(str(tree["other"].pk)) == tree["other"]  # no sub-categories: a choice


def test_category_ids_cover_the_whole_group(tree):
    assert set(category_ids(tree["roads"].pk)) == {
        tree["roads"].pk,
        tree["pits"].pk,
        tree["signs"].pk,
    }
    assert category_ids(tree["pits"].pk) == [tree["pits"].pk]


def test_public_problem_filter_by_a_group_finds_its_sub_categories(client, tree):
    pit = public_appeal(category=tree["pits"])
    sign = public_appeal(category=tree["signs"])
    lamp = public_appeal(category=tree["lamps"])
    found = set(filtered({"category": tree["roads"].pk}).values_list("appeal_id", flat=True))
    assert found == {pit.pk, sign.pk} and lamp.pk not in found
    response = client.get(reverse("problems:list"), {"category": tree["roads"].pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<optgroup label="Дороги">' in html
    assert re.search(rf'<option value="{tree["roads"].pk}" selected>', html)


def test_admin_lists_categories_in_their_groups(admin_client, tree):
    response = admin_client.get(reverse("admin:appeals_category_changelist"))
    assert response.status_code == 200
    rows = [str(c) for c in response.context["cl"].result_list]
    assert rows == [
        "Дворы",
        "Дворы / Освещение",
        "Дороги",
        "Дороги / Знаки",
        "Дороги / Ямы",
        "Другое",
    ]
