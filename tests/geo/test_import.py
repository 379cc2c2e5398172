"""Issue 19 (5): territories in bulk from a GeoJSON FeatureCollection, through the admin's
import page (preview, then confirm) and the ``import_territories`` command, with the same
checks as the admin form: closed rings, no overlap within a kind, parts inside parents."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from edem.geo.models import Territory
from tests.factories import TerritoryFactory, square

pytestmark = pytest.mark.django_db

IMPORT_URL = "/admin/geo/territory/import/"


def feature(name, geometry, **properties):
    return {"type": "Feature", "properties": {"name": name, **properties}, "geometry": geometry}


def collection(*features):
    return {"type": "FeatureCollection", "features": list(features)}


def town():
    """A municipality with two districts side by side and a microdistrict in the first."""
    return collection(
        feature("Демоград", square(38.0, 56.0, 0.2), kind="municipality"),
        feature("Северный", square(38.0, 56.1, 0.1)),
        feature("Южный", square(38.0, 56.0, 0.1)),
        feature("Сосновка", square(38.01, 56.11, 0.02), kind="microdistrict"),
    )


def upload(client, data, **extra):
    file = SimpleUploadedFile(
        "town.geojson", json.dumps(data).encode(), content_type="application/geo+json"
    )
    return client.post(IMPORT_URL, {"file": file, "default_kind": "district", **extra})


def test_admin_import_previews_with_parents_found_by_containment_then_creates(admin_client):
    listing = admin_client.get("/admin/geo/territory/").content.decode()
    assert IMPORT_URL in listing
    preview = upload(admin_client, town())
    plan = preview.context["plan"]
    assert plan.ok
    assert [(i.name, i.kind, i.parent_name) for i in plan.items] == [
        ("Демоград", "municipality", ""),
        ("Северный", "district", "Демоград"),
        ("Южный", "district", "Демоград"),
        ("Сосновка", "microdistrict", "Северный"),
    ]
    assert not Territory.objects.exists()  # a preview creates nothing
    html = preview.content.decode()
    assert 'name="confirm"' in html and "Сосновка" in html
    confirm = admin_client.post(
        IMPORT_URL,
        {
            "geojson": preview.context["form"]["geojson"].value(),
            "default_kind": "district",
            "confirm": "1",
        },
    )
    assert confirm.status_code == 302
    parents = dict(Territory.objects.values_list("name", "parent__name"))
    assert parents == {
        "Демоград": None,
        "Северный": "Демоград",
        "Южный": "Демоград",
        "Сосновка": "Северный",
    }


def test_an_invalid_ring_is_refused_and_nothing_is_created(admin_client):
    open_ring = {"type": "Polygon", "coordinates": [[[38, 56], [38.1, 56], [38.1, 56.1]]]}
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[38.3, 56], [38.4, 56.1], [38.4, 56], [38.3, 56.1], [38.3, 56]]],
    }
    data = collection(
        feature("Хороший", square(38.5, 56.0, 0.1)),
        feature("Открытый", open_ring),
        feature("Бабочка", bowtie),
    )
    plan = upload(admin_client, data).context["plan"]
    assert not plan.ok
    good, opened, bowtied = plan.items
    assert good.errors == [] and opened.errors and "Self-intersection" in " ".join(bowtied.errors)
    response = admin_client.post(
        IMPORT_URL, {"geojson": json.dumps(data), "default_kind": "district", "confirm": "1"}
    )
    assert response.status_code == 200  # refused: the preview again
    assert not Territory.objects.exists()


def test_overlap_with_a_stored_territory_or_within_the_file_is_refused(admin_client):
    TerritoryFactory(name="Старый", boundary=square(38.0, 56.0, 0.1))
    data = collection(
        feature("Наползающий", square(38.05, 56.05, 0.1)),
        feature("Отдельный", square(39.0, 56.0, 0.1)),
        feature("Дубль", square(39.05, 56.0, 0.1)),
    )
    items = upload(admin_client, data).context["plan"].items
    assert "Старый" in " ".join(items[0].errors)
    assert items[1].errors == []
    assert "Отдельный" in " ".join(items[2].errors)
    assert Territory.objects.count() == 1


def test_a_child_outside_its_named_parent_is_refused(admin_client):
    data = collection(
        feature("Демоград", square(38.0, 56.0, 0.2), kind="municipality"),
        feature("Выселки", square(38.15, 56.15, 0.1), parent="Демоград"),
        feature("Заречье", square(38.0, 56.0, 0.05), parent="Нет такого"),
    )
    items = upload(admin_client, data).context["plan"].items
    assert items[0].errors == []
    assert "Демоград" in " ".join(items[1].errors)
    assert "Нет такого" in " ".join(items[2].errors)


def test_a_file_that_is_not_a_feature_collection_is_refused(admin_client):
    plan = upload(admin_client, square(38.0, 56.0, 0.1)).context["plan"]
    assert plan.errors and not plan.items
    response = admin_client.post(IMPORT_URL, {"default_kind": "district"})
    assert response.context["form"].errors


def test_the_command_imports_a_valid_file_and_refuses_an_invalid_one(tmp_path):
    good = tmp_path / "town.geojson"
    good.write_text(json.dumps(town()), encoding="utf-8")
    call_command("import_territories", str(good), "--dry-run")
    assert not Territory.objects.exists()
    call_command("import_territories", str(good))
    assert Territory.objects.get(name="Сосновка").parent.name == "Северный"

    bad = tmp_path / "bad.geojson"
    bad.write_text(
        json.dumps(collection(feature("Поверх", square(38.05, 56.05, 0.1)))), encoding="utf-8"
    )
    with pytest.raises(CommandError):
        call_command("import_territories", str(bad))
    assert not Territory.objects.filter(name="Поверх").exists()
