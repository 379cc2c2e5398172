"""Load: mixed journeys against the portal under gunicorn (issue 11, point 10).

Run through ``bench/load.sh`` (it seeds a database, starts a worker and gunicorn, runs this
file headless and stops everything), or by hand against a portal seeded with ``seed_demo``:

    .venv/bin/locust -f bench/load_locust.py --headless -u 30 -r 5 -t 5m --host http://127.0.0.1:8181

Journeys (weights in brackets):
- an anonymous visitor [6]: home, the problem list, a problem page, the consultations hub, a
  petition, the map page;
- the map [4]: the map JSON for random boxes and zooms over the town;
- a verified citizen [2]: signs in once, then files appeals through the real form (every
  hidden field sent as the browser would) and reads his list;
- an official [1]: signs in with password and TOTP (the demo secret), then works the queue
  and opens appeal cards.
"""

import json
import random
import re
import sys
import threading
import time
from pathlib import Path

import pyotp
from locust import HttpUser, between, task

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.faults.browser import form_fields  # noqa: E402

DEMO = json.loads((ROOT / "fixtures" / "demo_town.json").read_text(encoding="utf-8"))
PASSWORD = DEMO["password"]  # every demo account's
TOTP_SECRET = DEMO["totp_secret"]  # every demo official's
CITIZENS = ["ivanova@demo.edem", "petrov@demo.edem", "sydorenko@demo.edem"]
OFFICIALS = [
    "mayor@demo.edem",
    "registrar@demo.edem",
    "executor@demo.edem",
    "housing.head@demo.edem",
    "housing.registrar@demo.edem",
    "housing.executor@demo.edem",
    "roads.head@demo.edem",
    "roads.executor@demo.edem",
]
CENTRE = (56.0, 38.0)  # EDEM_MAP_CENTER of the demo town
PROBLEM = re.compile(r'href="/problems/(\d+)/"')
PETITION = re.compile(r'href="/petitions/(\d+)/"')
CARD = re.compile(r'href="/service/appeals/(\d+)/"')

_ids = {}
_ids_lock = threading.Lock()
_totp_lock = threading.Lock()
_used_codes = set()


def ids(client, kind, url, pattern):
    """Ids of public objects, read once from a list page and shared by every user."""
    with _ids_lock:
        if kind not in _ids:
            response = client.get(url, name=f"{url} (ids)")
            _ids[kind] = [int(x) for x in pattern.findall(response.text)] or [0]
        return _ids[kind]


def fresh_code(email):
    """A TOTP code this user has not used yet (allauth refuses a code twice)."""
    totp = pyotp.TOTP(TOTP_SECRET)
    while True:
        with _totp_lock:
            code = totp.now()
            if (email, code) not in _used_codes:
                _used_codes.add((email, code))
                return code
        time.sleep(1)


def sign_in(client, email, second_factor=False):
    page = client.get("/account/login/", name="/account/login/")
    fields, _ = form_fields(page.text, "login")
    fields.update(login=email, password=PASSWORD)
    with client.post(
        "/account/login/", data=fields, name="/account/login/ (POST)", catch_response=True
    ) as response:
        if "/account/login/" in response.url:
            response.failure(f"not signed in: {response.status_code}")
            return
    if second_factor:
        fields, _ = form_fields(response.text, "2fa")
        fields["code"] = fresh_code(email)
        with client.post(
            response.url,
            data=fields,
            name="/account/2fa/authenticate/ (POST)",
            catch_response=True,
        ) as answer:
            if "/2fa/" in answer.url:
                answer.failure(f"second factor refused: {answer.status_code}")


def random_bbox():
    zoom = random.randint(11, 16)
    half_lat = 0.6 / 2**zoom * 60
    half_lon = half_lat * 1.8
    lat = CENTRE[0] + random.uniform(-0.04, 0.04)
    lon = CENTRE[1] + random.uniform(-0.08, 0.08)
    bbox = f"{lon - half_lon:.5f},{lat - half_lat:.5f},{lon + half_lon:.5f},{lat + half_lat:.5f}"
    return bbox, zoom


class Visitor(HttpUser):
    weight = 6
    wait_time = between(1, 4)

    @task(3)
    def home(self):
        self.client.get("/")

    @task(3)
    def problems(self):
        self.client.get("/problems/")

    @task(4)
    def problem(self):
        pk = random.choice(ids(self.client, "problems", "/problems/", PROBLEM))
        self.client.get(f"/problems/{pk}/", name="/problems/[id]/")

    @task(2)
    def consultations(self):
        self.client.get("/consultations/")

    @task(2)
    def petition(self):
        pk = random.choice(ids(self.client, "petitions", "/petitions/", PETITION))
        self.client.get(f"/petitions/{pk}/", name="/petitions/[id]/")

    @task(1)
    def map_page(self):
        self.client.get("/map/")


class MapUser(HttpUser):
    weight = 4
    wait_time = between(0.5, 2)

    @task
    def boxes(self):
        bbox, zoom = random_bbox()
        self.client.get(
            "/map/problems.json", params={"bbox": bbox, "zoom": zoom}, name="/map/problems.json"
        )


class Citizen(HttpUser):
    weight = 2
    wait_time = between(3, 8)

    def on_start(self):
        self.email = random.choice(CITIZENS)
        sign_in(self.client, self.email)

    @task(2)
    def file_appeal(self):
        page = self.client.get("/appeals/new/", name="/appeals/new/")
        fields, options = form_fields(page.text, "appeal-form")
        fields.setdefault("kind", options.get("kind", ["statement"])[0])
        fields.setdefault("answer_channel", options.get("answer_channel", ["email"])[0])
        fields["category"] = random.choice(options.get("category", [""]))
        fields.pop("cabinet", None)
        lat = CENTRE[0] + random.uniform(-0.015, 0.015)
        lon = CENTRE[1] + random.uniform(-0.05, 0.05)
        fields.update(
            subject=f"Нагрузочный тест: яма у дома {random.randint(1, 200)}",
            text="Во дворе глубокая яма, машины не проезжают. Прошу засыпать.",
            place=f"ул. Садовая, {random.randint(1, 200)}",
            latitude=f"{lat:.6f}",
            longitude=f"{lon:.6f}",
            personal_data_consent="on",
            is_public="on",
        )
        with self.client.post(
            "/appeals/new/", data=fields, name="/appeals/new/ (POST)", catch_response=True
        ) as response:
            if "/appeals/my/" not in response.url:
                response.failure(f"not filed: {response.status_code}")

    @task(1)
    def my_list(self):
        self.client.get("/appeals/my/")


class Official(HttpUser):
    weight = 1
    wait_time = between(2, 6)

    def on_start(self):
        self.email = random.choice(OFFICIALS)
        sign_in(self.client, self.email, second_factor=True)
        self.cards = []

    @task(2)
    def queue(self):
        with self.client.get(
            "/service/appeals/", name="/service/appeals/", catch_response=True
        ) as response:
            if response.status_code != 200 or "/service/appeals/" not in response.url:
                response.failure(f"queue: {response.status_code} at {response.url}")
                return
            self.cards = [int(x) for x in CARD.findall(response.text)]

    @task(3)
    def card(self):
        if not self.cards:
            return self.queue()
        pk = random.choice(self.cards)
        self.client.get(f"/service/appeals/{pk}/", name="/service/appeals/[id]/")
