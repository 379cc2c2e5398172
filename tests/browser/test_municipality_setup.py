"""Setting up a municipality from an empty database, in headless Chromium, through the admin and
the portal's own pages only (issue 19, "Done when"; README, "Setting up your municipality").

The database holds nothing but what ``migrate`` creates; the ORM only plays ``createsuperuser``
and reads the outbox (the mails a real administrator, official and citizen would open). The
administrator signs in and sets up their authenticator app, imports the territories from a
GeoJSON file (a bad file first: refused, nothing created), creates the administration and the
housing department, tries settings that would break the portal later (a number format with an
unknown placeholder, a routing rule into a department nobody works in: both refused beside the
field), invites the department's head, who follows the link, chooses a password and sets up
TOTP; then the routing rule is accepted. A citizen signs up and confirms the address, the
administrator verifies her with the list action, and her appeal, marked on the map in the
district, reaches the housing department and its head's queue.
"""

import json
import re
import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import expect

from appeals.models import Appeal, CabinetAppealSettings, RoutingRule
from cabinets.models import Cabinet, Membership, StaffInvitation
from cabinets.roles import Role
from edem.geo.models import Territory
from edem.notifications.models import Notification

from .a11y import assert_accessible
from .test_portal import main_form, sign_in, submit

pytestmark = pytest.mark.browser

ADMIN_EMAIL = "it@zarechensk.example"
ADMIN_PASSWORD = "Zarechensk-Admin-2026"
HEAD_EMAIL = "head.zhkh@zarechensk.example"
HEAD_PASSWORD = "Lipa-Kalina-7391"
CITIZEN_EMAIL = "resident@zarechensk.example"
CITIZEN_PASSWORD = "Reka-Most-5120"


def _square(west, south, east, north):
    return [[[west, south], [east, south], [east, north], [west, north], [west, south]]]


def _feature(name, kind, ring, parent=None):
    properties = {"name": name, "kind": kind}
    if parent:
        properties["parent"] = parent
    return {
        "type": "Feature",
        "properties": properties,
        "geometry": {"type": "Polygon", "coordinates": ring},
    }


# Around the map's default centre (EDEM_MAP_CENTER 56.0, 38.0): the west half is Заречный.
TOWN = _feature("Зареченск", "municipality", _square(37.8, 55.9, 38.2, 56.1))
WEST = _feature("Заречный район", "district", _square(37.8, 55.9, 38.0, 56.1), "Зареченск")
EAST = _feature("Центральный район", "district", _square(38.0, 55.9, 38.2, 56.1), "Зареченск")
OVERLAPPING = _feature("Лишний район", "district", _square(37.95, 55.95, 38.05, 56.05), "Зареченск")


def _collection(*features):
    return json.dumps({"type": "FeatureCollection", "features": list(features)}, ensure_ascii=False)


class AuthenticatorApp:
    """A phone's authenticator app: the code of the current 30-second step, never one about to
    expire and never twice the same step for one person (allauth refuses a reused code)."""

    def __init__(self):
        self.secrets, self.used = {}, {}

    def add(self, who, secret):
        self.secrets[who] = secret

    def code(self, who):
        while True:
            now = time.time()
            step, left = int(now // 30), 30 - now % 30
            if left < 3 or self.used.get(who) == step:
                time.sleep(left + 0.2)
                continue
            self.used[who] = step
            return format_hotp_value(hotp_value(self.secrets[who], step))


def set_up_authenticator(page, who, app):
    """The page that says a second factor is needed, then allauth's set-up page: the secret
    shown as text goes into the app, the app's code into the form."""
    expect(page).to_have_url(re.compile(re.escape(reverse("accounts:mfa_required")) + "$"))
    page.locator(f"main a[href='{reverse('mfa_activate_totp')}']").click()
    secret = page.locator("#authenticator_secret").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret), secret
    app.add(who, secret)
    form = main_form(page, "code")
    form.locator("input[name='code']").fill(app.code(who))
    submit(form)
    expect(page).not_to_have_url(re.compile(re.escape(reverse("mfa_activate_totp"))))


def choose(page, field, text):
    """Pick ``text`` in the admin's search-as-you-type picker of ``field``."""
    page.locator(f".field-{field} .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(text)
    page.locator(".select2-results__option:not(.loading-results)", has_text=text).first.click()


def admin_save(page):
    page.locator("input[name='_save']").click()


def field_error(page, field):
    return page.locator(f".field-{field} .errorlist")


def outbox_link(pattern, **filters):
    """The path of the link in the newest mail matching ``filters`` (the mail the person
    opens)."""
    mail = Notification.objects.filter(**filters).latest("pk")
    text = mail.body_text or json.dumps(mail.context)
    return re.search(pattern, text).group(0)


def test_a_municipality_is_set_up_from_an_empty_database_through_the_admin(
    live_server, new_page, tmp_path
):
    assert not Territory.objects.exists() and not Cabinet.objects.exists()
    get_user_model().objects.create_superuser(email=ADMIN_EMAIL, password=ADMIN_PASSWORD)
    app = AuthenticatorApp()

    # 1. The administrator signs in; the admin asks for the authenticator app first.
    admin = new_page()
    sign_in(admin, ADMIN_EMAIL, ADMIN_PASSWORD)
    admin.goto(reverse("admin:index"))
    set_up_authenticator(admin, ADMIN_EMAIL, app)
    admin.goto(reverse("admin:index"))
    expect(admin.locator("#content-main")).to_be_visible()

    # 2. Territories from a GeoJSON file: overlapping districts are refused, nothing created.
    bad = tmp_path / "bad.geojson"
    bad.write_text(_collection(TOWN, WEST, EAST, OVERLAPPING), encoding="utf-8")
    admin.goto(reverse("admin:geo_territory_import"))
    admin.locator("input[type='file'][name='file']").set_input_files(str(bad))
    admin.locator("input[name='preview']").click()
    expect(admin.locator("#import-preview tr.errors")).not_to_have_count(0)
    expect(admin.locator("input[name='confirm']")).to_have_count(0)
    assert not Territory.objects.exists()

    good = tmp_path / "zarechensk.geojson"
    good.write_text(_collection(TOWN, WEST, EAST), encoding="utf-8")
    admin.locator("input[type='file'][name='file']").set_input_files(str(good))
    admin.locator("input[name='preview']").click()
    expect(admin.locator("#import-preview tbody tr")).to_have_count(3)
    admin.locator("input[name='confirm']").click()
    expect(admin.locator("#result_list")).to_be_visible()
    west = Territory.objects.get(name="Заречный район")
    assert west.parent.name == "Зареченск" and west.kind == Territory.Kind.DISTRICT

    # 3. The cabinets: the administration and the housing department.
    for name, short, code, kind in (
        ("Администрация города Зареченска", "Администрация", "adm", "administration"),
        ("Управление ЖКХ", "ЖКХ", "zhkh", "department"),
    ):
        admin.goto(reverse("admin:cabinets_cabinet_add"))
        admin.locator("#id_name_ru").fill(name)
        admin.locator("#id_short_name_ru").fill(short)
        admin.locator("#id_code").fill(code)
        admin.locator("#id_kind").select_option(kind)
        admin_save(admin)
        expect(admin.locator("#result_list")).to_contain_text(name)
    housing = Cabinet.objects.get(code="zhkh")

    # 4. A topic.
    admin.goto(reverse("admin:appeals_category_add"))
    admin.locator("#id_name_ru").fill("Дороги и тротуары")
    admin_save(admin)
    expect(admin.locator("#result_list")).to_contain_text("Дороги и тротуары")

    # 5. Settings that would break the portal later are refused beside the field.
    admin.goto(reverse("admin:appeals_cabinetappealsettings_add"))
    choose(admin, "cabinet", "Управление ЖКХ")
    admin.locator("#id_number_format").fill("{foo}-{year")
    admin_save(admin)
    expect(field_error(admin, "number_format")).to_be_visible()
    assert not CabinetAppealSettings.objects.exists()

    admin.goto(reverse("admin:appeals_routingrule_add"))
    choose(admin, "category", "Дороги и тротуары")
    choose(admin, "territory", "Заречный район")
    choose(admin, "cabinet", "Управление ЖКХ")
    admin_save(admin)
    expect(field_error(admin, "cabinet")).to_be_visible()  # nobody works there yet
    assert not RoutingRule.objects.exists()

    # 6. The department's head is invited from the admin.
    admin.goto(reverse("admin:cabinets_staffinvitation_add"))
    admin.locator("#id_email").fill(HEAD_EMAIL)
    admin.locator("#id_last_name").fill("Соболева")
    admin.locator("#id_first_name").fill("Ирина")
    admin.locator("#id_patronymic").fill("Викторовна")
    choose(admin, "cabinet", "Управление ЖКХ")
    admin.locator("#id_role").select_option(Role.HEAD)
    admin_save(admin)
    expect(admin.locator("#result_list")).to_contain_text(HEAD_EMAIL)
    invitation = StaffInvitation.objects.get(email=HEAD_EMAIL)
    link = outbox_link(r"/invitation/[^\s\"]+/", email=HEAD_EMAIL)

    # 7. She follows the link, chooses a password, signs in, sets up TOTP: her cabinet opens.
    head = new_page()
    head.goto(link)
    assert_accessible(head)
    form = main_form(head, "password1")
    form.locator("input[name='password1']").fill(HEAD_PASSWORD)
    form.locator("input[name='password2']").fill(HEAD_PASSWORD)
    submit(form)
    expect(head).to_have_url(re.compile(re.escape(reverse("account_login"))))
    invitation.refresh_from_db()
    assert invitation.status == StaffInvitation.Status.ACCEPTED
    sign_in(head, HEAD_EMAIL, HEAD_PASSWORD)  # no confirmation mail stops her
    set_up_authenticator(head, HEAD_EMAIL, app)
    head.goto(reverse("service:staff", args=["zhkh"]))
    expect(head.locator("#staff-table")).to_contain_text(HEAD_EMAIL)
    expect(head.locator("#staff-table .badge-success")).to_have_count(1)
    assert_accessible(head)
    # The link works once.
    again = new_page()
    again.goto(link)
    expect(again.locator("#invitation-refused")).to_have_attribute("data-reason", "used")
    assert_accessible(again)
    assert Membership.objects.active().filter(cabinet=housing, role=Role.HEAD).count() == 1

    # 8. Now the routing rule is accepted; the head column names her.
    admin.goto(reverse("admin:appeals_routingrule_add"))
    choose(admin, "category", "Дороги и тротуары")
    choose(admin, "territory", "Заречный район")
    choose(admin, "cabinet", "Управление ЖКХ")
    admin_save(admin)
    expect(admin.locator("#result_list")).to_contain_text("Управление ЖКХ")
    admin.goto(reverse("admin:cabinets_cabinet_changelist"))
    expect(admin.locator("#result_list tr", has_text="Управление ЖКХ")).to_contain_text(HEAD_EMAIL)

    # 9. A citizen signs up and confirms her address from the mail.
    citizen = new_page()
    citizen.goto(reverse("account_signup"))
    form = main_form(citizen, "password1")
    form.locator("input[name='email']").fill(CITIZEN_EMAIL)
    form.locator("input[name='password1']").fill(CITIZEN_PASSWORD)
    form.locator("input[name='password2']").fill(CITIZEN_PASSWORD)
    form.locator("input[name='last_name']").fill("Лебедева")
    form.locator("input[name='first_name']").fill("Ольга")
    submit(form)
    confirm = outbox_link(r"/account/confirm-email/[^\s\"]+/", email=CITIZEN_EMAIL)
    citizen.goto(confirm)
    submit(citizen.locator("main form"))
    expect(citizen).not_to_have_url(re.compile(re.escape(confirm)))
    citizen.goto(reverse("accounts:cabinet"))
    if "/account/login/" in citizen.url:  # not signed in on confirmation: sign in
        sign_in(citizen, CITIZEN_EMAIL, CITIZEN_PASSWORD)
    expect(citizen).not_to_have_url(re.compile(re.escape(reverse("account_login"))))
    person = get_user_model().objects.get(email=CITIZEN_EMAIL)

    # 10. The head of ЖКХ verifies her in person from the service cabinet (document seen).
    head.goto(reverse("service:cabinet", args=["zhkh"]))
    head.locator("#verify-residents-link").click()
    head.locator("#person-search #id_q").fill(CITIZEN_EMAIL)
    head.locator("#person-search button[type='submit']").click()
    expect(head.locator("#people-found")).to_contain_text(CITIZEN_EMAIL)
    head.locator("#people-found a").first.click()
    form = head.locator("#verify-resident-form")
    form.locator("#id_document_kind").select_option("passport")
    form.locator("#id_document_number").fill("45 01 123456")
    form.locator("#id_confirmed").check()
    form.locator("button[type='submit']").click()
    expect(head.locator("#person-search")).to_be_visible()
    person.refresh_from_db()
    assert person.verification_level == "resident" and person.verified_at is not None
    assert person.verified_by.email == HEAD_EMAIL and person.document_key

    # 11. She files an appeal about a road in the Заречный district: it is routed to ЖКХ.
    citizen.goto(reverse("appeals:file"))
    form = main_form(citizen, "subject")
    answer_channels = form.locator("[name='answer_channel'] option, input[name='answer_channel']")
    values = [answer_channels.nth(i).get_attribute("value") for i in range(answer_channels.count())]
    assert "epgu_account" not in values  # no identity provider connected
    form.locator("input[name='kind'][value='statement']").check()
    form.locator("select[name='category']").select_option(label="Дороги и тротуары")
    form.locator("input[name='subject']").fill("Провал асфальта на улице Речной")
    form.locator("textarea[name='text']").fill(
        "На улице Речной у дома 5 провалился асфальт, машины объезжают яму по тротуару."
    )
    form.locator("input[name='place']").fill("ул. Речная, 5")
    place_map = citizen.locator("#place-map")
    box = place_map.bounding_box()
    place_map.click(position={"x": box["width"] * 0.3, "y": box["height"] * 0.5})
    expect(form.locator("#id_longitude")).not_to_have_value("")
    assert float(form.locator("#id_longitude").input_value()) < 38.0
    form.locator("input[name='personal_data_consent']").check()
    submit(form)
    expect(citizen.locator("main .messages")).to_be_visible()
    appeal = Appeal.objects.get()
    assert appeal.territory == west and appeal.cabinet == housing
    assert appeal.number  # registered on receipt

    # 12. The head sees it in her queue.
    head.goto(reverse("appeals_service:queue"))
    expect(head.locator("main")).to_contain_text("Провал асфальта на улице Речной")
