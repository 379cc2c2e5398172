"""Municipality settings in the admin (issue 19, point 4): one record, cached, the environment
as the default for every blank field, in use without a restart."""

import io

import pytest
from django.contrib.sites.models import Site
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from edem.core import municipality
from edem.core.models import MunicipalitySettings

pytestmark = pytest.mark.django_db

URL = "/admin/core/municipalitysettings/"


def png(size=(8, 8)):
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def form_data(**values):
    data = {
        "name": "",
        "short_name": "",
        "contact_email": "",
        "contact_phone": "",
        "contact_address": "",
        "reception_address": "",
        "map_center_lat": "",
        "map_center_lon": "",
        "map_zoom": "",
        "map_tiles_url": "",
        "map_attribution": "",
        "language": "",
    }
    data.update(values)
    return data


def save_in_admin(admin_client, **values):
    admin_client.get(URL)  # the list opens the one record (or its add form)
    record = MunicipalitySettings.objects.first()
    url = f"{URL}{record.pk}/change/" if record else f"{URL}add/"
    return admin_client.post(url, form_data(**values))


def test_blank_settings_fall_back_to_the_environment(settings):
    settings.EDEM_MUNICIPALITY_NAME = "Окружной город"
    settings.EDEM_MAP_CENTER = ("55.5", "37.5")
    settings.EDEM_MAP_ZOOM = 11
    settings.EDEM_MAP_TILES_URL = "https://tiles.example/{z}/{x}/{y}.png"
    values = municipality.current()
    assert values.name == "Окружной город" and values.short_name == "Окружной город"
    assert values.map_center == (55.5, 37.5) and values.map_zoom == 11
    assert values.map_tiles_url == "https://tiles.example/{z}/{x}/{y}.png"
    assert values.language == settings.LANGUAGE_CODE and values.logo_url == ""


def test_the_admin_edits_one_record_and_pages_show_it_without_a_restart(admin_client):
    assert admin_client.get(URL).status_code == 302
    response = save_in_admin(
        admin_client,
        name="Городской округ Демоград",
        short_name="Демоград",
        contact_phone="+7 000 000-00-00",
        reception_address="ул. Ленина, 1, каб. 5",
        map_center_lat="55.12345",
        map_center_lon="37.54321",
        map_zoom="13",
        map_tiles_url="https://tiles.demograd.example/{z}/{x}/{y}.png",
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert MunicipalitySettings.objects.count() == 1
    assert admin_client.get(URL).status_code == 302  # still the one record
    assert admin_client.get(f"{URL}add/").status_code == 403
    assert admin_client.get(f"{URL}1/delete/").status_code == 403
    page = admin_client.get("/").content.decode()
    assert "Демоград" in page and "ул. Ленина, 1, каб. 5" in page and "+7 000 000-00-00" in page
    values = municipality.current()
    assert values.map_center == (55.12345, 37.54321) and values.map_zoom == 13
    assert values.map_tiles_url == "https://tiles.demograd.example/{z}/{x}/{y}.png"
    map_page = admin_client.get("/map/").content.decode()
    assert 'data-center="55.12345,37.54321"' in map_page and 'data-zoom="13"' in map_page
    assert "tiles.demograd.example" in map_page


def test_a_save_replaces_the_cached_copy(admin_client):
    save_in_admin(admin_client, short_name="Первый")
    assert municipality.current().short_name == "Первый"
    assert cache.get(municipality.CACHE_KEY) is not None
    save_in_admin(admin_client, short_name="Второй")
    assert municipality.current().short_name == "Второй"


def test_reads_come_from_the_cache_until_a_save(django_assert_num_queries):
    MunicipalitySettings.objects.create(short_name="Кэшград")
    municipality.current()
    with django_assert_num_queries(0):
        assert municipality.current().short_name == "Кэшград"


def test_settings_are_read_from_the_database_when_the_cache_fails(monkeypatch):
    MunicipalitySettings.objects.create(short_name="Без кэша")

    class Broken:
        def __getattr__(self, name):
            def fail(*args, **kwargs):
                raise ConnectionError("cache down")

            return fail

    monkeypatch.setattr(municipality, "cache", Broken())
    assert municipality.current().short_name == "Без кэша"
    record = MunicipalitySettings.objects.get()
    record.short_name = "Сохранено"
    record.save()  # the invalidation must not fail the write
    assert municipality.current().short_name == "Сохранено"


def test_the_sites_record_follows_the_municipality(django_capture_on_commit_callbacks, settings):
    settings.SITE_URL = "https://portal.demograd.example"
    with django_capture_on_commit_callbacks(execute=True):
        MunicipalitySettings.objects.create(name="Городской округ Демоград", short_name="Демоград")
    site = Site.objects.get(pk=settings.SITE_ID)
    assert (site.domain, site.name) == ("portal.demograd.example", "Демоград")


def test_map_centre_needs_both_coordinates_and_tiles_need_placeholders(admin_client):
    response = save_in_admin(admin_client, map_center_lat="55.1", map_tiles_url="https://x/{z}.png")
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"map_center_lon", "map_tiles_url"}
    response = save_in_admin(admin_client, map_center_lat="95", map_center_lon="10", map_zoom="25")
    assert response.status_code == 200
    assert not MunicipalitySettings.objects.filter(map_zoom=25).exists()


def test_the_logo_is_checked_like_any_upload_and_served_by_the_portal(admin_client):
    admin_client.get(URL)
    url = f"{URL}add/"
    fake = SimpleUploadedFile("logo.png", b"<svg>not an image</svg>", content_type="image/png")
    response = admin_client.post(url, {**form_data(), "logo": fake})
    assert response.status_code == 200 and "logo" in response.context["adminform"].form.errors
    logo = SimpleUploadedFile("logo.png", png(), content_type="image/png")
    response = admin_client.post(url, {**form_data(short_name="Лого"), "logo": logo})
    assert response.status_code == 302
    logo_url = municipality.current().logo_url
    assert logo_url.startswith("/municipality/logo?v=")
    assert logo_url in admin_client.get("/").content.decode()
    served = admin_client.get(logo_url)
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content).startswith(b"\x89PNG")
    served.close()


def test_default_language_applies_when_the_visitor_asks_for_none(client):
    MunicipalitySettings.objects.create(language="uk")
    assert client.get("/").headers["Content-Language"] == "uk"
    asked = client.get("/", headers={"accept-language": "ru"})
    assert asked.headers["Content-Language"] == "ru"


def test_mail_to_someone_without_a_language_takes_the_municipality_default():
    from edem.notifications.services import notify

    MunicipalitySettings.objects.create(language="uk")
    notification = notify(template="test", email="someone@example.com", context={})
    assert notification.language == "uk"
