import pytest
from django.contrib import admin

from tests.factories import CabinetFactory, PublicationFactory, TerritoryFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_every_registered_model_has_a_working_changelist_and_search(admin_client):
    TerritoryFactory(), CabinetFactory(), PublicationFactory(), UserFactory()
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        url = f"/admin/{meta.app_label}/{meta.model_name}/"
        response = admin_client.get(url, follow=True)  # a single record's list opens the record
        assert response.status_code == 200, url
        if model_admin.search_fields:
            assert admin_client.get(url, {"q": "Демоград"}).status_code == 200, url


def test_territory_admin_shows_the_boundary_on_a_leaflet_map_with_draw(admin_client):
    territory = TerritoryFactory()
    html = admin_client.get(f"/admin/geo/territory/{territory.pk}/change/").content.decode()
    assert "leaflet/leaflet.js" in html and "leaflet/draw/leaflet.draw.js" in html
    assert 'class="geojson-editor"' in html and "38.0" in html


def test_territory_admin_refuses_an_invalid_polygon_with_a_reason(admin_client):
    response = admin_client.post(
        "/admin/geo/territory/add/",
        {
            "name_ru": "Bad",
            "kind": "district",
            "boundary": '{"type": "Point", "coordinates": [1, 2]}',
        },
    )
    assert response.status_code == 200
    assert "Polygon" in response.content.decode()


def test_appeals_are_read_only_and_never_deleted_in_the_admin(admin_client):
    from tests.factories import AppealFactory

    appeal = AppealFactory()
    assert admin_client.get(f"/admin/appeals/appeal/{appeal.pk}/change/").status_code == 200
    assert admin_client.get(f"/admin/appeals/appeal/{appeal.pk}/delete/").status_code == 403
    assert admin_client.get("/admin/appeals/appeal/add/").status_code == 403
