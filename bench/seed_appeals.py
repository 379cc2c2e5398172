"""Fill PostgreSQL with N appeals for the benchmarks (default 1,000,000), fast, with COPY.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/edem_bench \
        .venv/bin/python bench/seed_appeals.py [N]

Needs the demo town (it runs ``migrate`` and ``seed_demo --bare`` first). The spread is realistic:
statuses by age (recent appeals in work, older ones closed but for 1% overdue), every demo cabinet and territory, received dates over
the last two years, deadlines from the jurisdiction profile, half of the appeals public with a
point inside the town, authors drawn from 2,000 seeded citizens, executors from the cabinet's
staff. Prints one line with the count and the time taken.

It also fills the public-problem projection (``problems.PublicProblem`` and its precomputed
cluster grid ``problems.ProblemCell``) for the public appeals with two INSERT … SELECT
statements; on an already seeded database run only that step with

    DATABASE_URL=… .venv/bin/python bench/seed_appeals.py --projection-only

The SQL path copies the text as seeded (the generated texts hold no personal data; the portal's
own sync in ``appeals/problems/sync.py`` also scrubs contacts out of real texts).
"""

import io
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edem.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from appeals.models import Appeal, Category  # noqa: E402
from cabinets.models import Cabinet, Membership  # noqa: E402
from edem.accounts.models import User  # noqa: E402
from edem.geo.models import Territory  # noqa: E402

# Statuses by the appeal's age, as in a municipality that answers on time: the last few days
# are still being registered, the last month and a half is in work or answered, and older
# appeals are closed, but for one in a hundred left open and overdue.
STATUSES_NEW = [("received", 40), ("registered", 40), ("in_work", 20)]  # under 3 days
STATUSES_CURRENT = [  # 3 to 45 days
    ("registered", 12), ("in_work", 40), ("answer_drafted", 10), ("answered", 25),
    ("closed_no_merits", 3), ("forwarded", 3), ("withdrawn", 3), ("reopened", 2), ("merged", 2),
]  # fmt: skip
STATUSES_OLD = [  # over 45 days
    ("answered", 74), ("closed_no_merits", 7), ("forwarded", 6), ("withdrawn", 7), ("merged", 5),
    ("in_work", 1),
]  # fmt: skip
ANSWER_RESULTS = ["supported", "supported", "measures", "explained", "explained", "not_supported"]
SUBJECTS = [
    "Яма на дороге", "Не горят фонари", "Не вывозят мусор", "Протекает крыша", "Нет горячей воды",
    "Сломана детская площадка", "Нужен пешеходный переход", "Шум по ночам", "Аварийное дерево",
    "Нет отопления", "Не работает лифт", "Свалка во дворе", "Парковка на газоне", "Подтопление",
]  # fmt: skip
COLUMNS = [
    "number",
    "kind",
    "channel",
    "status",
    "last_name",
    "first_name",
    "patronymic",
    "email",
    "postal_address",
    "phone",
    "answer_channel",
    "subject",
    "text",
    "latitude",
    "longitude",
    "place",
    "is_collective",
    "is_public",
    "show_author_name",
    "personal_data_consent_at",
    "simple",
    "received_at",
    "registered_at",
    "registration_due",
    "forwarding_due",
    "legal_due",
    "control_due",
    "original_due",
    "no_merits_ground",
    "answered_at",
    "closed_at",
    "archived",
    "created_at",
    "updated_at",
    "author_id",
    "cabinet_id",
    "executor_id",
    "territory_id",
    "category_id",
    "reports_offence",
    "organisation_name",
    "organisation_number",
    "signer_position",
    "result",
]
BATCH = 50_000


def prepare():
    call_command("migrate", verbosity=0)
    call_command("seed_demo", quiet=True, bare=True)
    categories = []
    for name in ("Дороги", "ЖКХ", "Благоустройство", "Транспорт", "Образование", "Соцзащита"):
        categories.append(Category.objects.get_or_create(name=name)[0].pk)
    have = User.objects.filter(email__startswith="bench-citizen-").count()
    User.objects.bulk_create(
        [
            User(
                email=f"bench-citizen-{i}@example.org",
                last_name=f"Житель{i}",
                first_name="Иван",
                password=make_password(None),
            )
            for i in range(have, 2000)
        ],
        batch_size=1000,
    )
    authors = list(
        User.objects.filter(email__startswith="bench-citizen-").values_list("pk", flat=True)
    )
    cabinets = list(Cabinet.objects.values_list("pk", "code"))
    staff = {}
    for cabinet_id, user_id in Membership.objects.filter(role__in=["executor", "head"]).values_list(
        "cabinet_id", "user_id"
    ):
        staff.setdefault(cabinet_id, []).append(user_id)
    territories = list(Territory.objects.values_list("pk", flat=True))
    return categories, authors, cabinets, staff, territories


def result_of(status, rnd):
    """The R16 result a closed appeal carries (issue 12's statutory reports count them)."""
    if status == "answered":
        return rnd.choice(ANSWER_RESULTS)
    return {"closed_no_merits": "no_merits", "forwarded": "forwarded"}.get(status, "")


def rows(n, start, categories, authors, cabinets, staff, territories, rnd):
    weighted = {
        name: [s for s, w in table for _ in range(w)]
        for name, table in (
            ("new", STATUSES_NEW), ("current", STATUSES_CURRENT), ("old", STATUSES_OLD)
        )
    }  # fmt: skip
    now = datetime.now(UTC)
    for i in range(start, start + n):
        cabinet_id, code = rnd.choice(cabinets)
        received = now - timedelta(minutes=rnd.randint(0, 2 * 365 * 24 * 60))
        age = (now - received).days
        status = rnd.choice(weighted["new" if age < 3 else "current" if age < 45 else "old"])
        registered = (
            None if status == "received" else received + timedelta(minutes=rnd.randint(1, 600))
        )
        reg_day = (registered or received).date()
        legal_due = reg_day + timedelta(days=30) if registered else None
        is_public = rnd.random() < 0.5
        lat, lon = (
            f"{56 + rnd.uniform(-0.045, 0.045):.6f}",
            f"{38 + rnd.uniform(-0.09, 0.09):.6f}",
        )
        closed = status in ("answered", "closed_no_merits", "withdrawn", "merged", "forwarded")
        # Never in the future: a fact dated ahead would count as "changed" on every refresh.
        done_at = (
            min(received + timedelta(days=rnd.randint(1, 30)), now - timedelta(minutes=1))
            if closed
            else None
        )
        subject = rnd.choice(SUBJECTS)
        executor = (
            rnd.choice(staff[cabinet_id])
            if staff.get(cabinet_id) and status != "received"
            else None
        )
        yield (
            f"{code.upper()}-{received.year}-{i:07d}" if registered else "",
            rnd.choice(["proposal", "statement", "complaint"]),
            "portal",
            status,
            "Житель",
            "Иван",
            "",
            f"citizen{i % 2000}@example.org",
            f"Демоград, ул. Садовая, д. {i % 200}",
            "",
            "email",
            subject,
            f"{subject}. Подробное описание проблемы № {i}.",
            lat,
            lon,
            f"ул. Садовая, {i % 200}",
            "f",
            "t" if is_public else "f",
            "f",
            received.isoformat(),
            "f",
            received.isoformat(),
            registered.isoformat() if registered else None,
            (received.date() + timedelta(days=3)).isoformat(),
            (reg_day + timedelta(days=7)).isoformat(),
            legal_due.isoformat() if legal_due else None,
            legal_due.isoformat() if legal_due else None,
            None,
            "",
            done_at.isoformat() if status == "answered" else None,
            done_at.isoformat() if closed else None,
            "f",
            received.isoformat(),
            received.isoformat(),
            rnd.choice(authors),
            cabinet_id,
            executor,
            rnd.choice(territories) if territories else None,
            rnd.choice(categories),
            "f",
            "",
            "",
            "",
            result_of(status, rnd),
        )


EMPTY = {"boolean": "false", "character varying": "''", "text": "''"}


def default_missing_columns(cursor):
    """Columns added to ``Appeal`` after this script was written are NOT NULL without a
    database default (Django keeps defaults in Python): give each one missing from ``COLUMNS``
    its empty value as a database default, so that COPY fills it."""
    cursor.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_name = 'appeals_appeal' AND is_nullable = 'NO' AND column_default IS NULL"
    )
    for name, data_type in cursor.fetchall():
        if name not in COLUMNS and name != "id" and data_type in EMPTY:
            cursor.execute(
                f'ALTER TABLE appeals_appeal ALTER COLUMN "{name}" SET DEFAULT {EMPTY[data_type]}'
            )


def copy_batch(cursor, batch):
    buffer = io.StringIO()
    for row in batch:
        buffer.write(
            "\t".join("\\N" if v is None else str(v).replace("\t", " ") for v in row) + "\n"
        )
    buffer.seek(0)
    cursor.copy_expert(f"COPY appeals_appeal ({', '.join(COLUMNS)}) FROM STDIN", buffer)


def fill_projection():
    """(Re)build the projection of every public appeal and the cluster grid from it, in SQL."""
    from appeals.problems.models import (
        CLUSTER_LEVELS,
        DAY_CELL_LEVELS,
        FILL_DAY_CELLS_SQL,
        STATE_OF_STATUS,
    )
    from appeals.problems.sync import cell_size

    started = time.perf_counter()
    states = [x for status, state in STATE_OF_STATUS.items() for x in (status, int(state))]
    values = ", ".join(["(%s, %s)"] * len(STATE_OF_STATUS))
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE problems_problemcell")
        cursor.execute("TRUNCATE problems_problemdaycell")
        cursor.execute(
            """
            INSERT INTO problems_publicproblem (
                appeal_id, support_count, comment_count, follower_count, state, status,
                category_id, territory_id, cabinet_id, author_id, lat, lon, place, received_at,
                answered_at, answered_on_time, number, subject, text, author_name, redactions,
                hidden_photos, answer_text, answer_signer_name, answer_signer_position,
                answer_signed_at, published_at, updated_at)
            SELECT a.id, 0, 0, 0, coalesce(s.state, 1), a.status,
                a.category_id, a.territory_id, a.cabinet_id, a.author_id,
                a.latitude::float8, a.longitude::float8, a.place, a.received_at,
                a.answered_at, NULL, a.number, a.subject, a.text,
                CASE WHEN a.show_author_name THEN a.first_name || ' ' || a.last_name ELSE '' END,
                '[]'::jsonb, '[]'::jsonb, '', '', '', NULL, a.received_at, now()
            FROM appeals_appeal a
            LEFT JOIN (VALUES VALUES_HERE) AS s(status, state) ON s.status = a.status
            WHERE a.is_public
            ON CONFLICT (appeal_id) DO UPDATE SET state = EXCLUDED.state,
                status = EXCLUDED.status, category_id = EXCLUDED.category_id,
                territory_id = EXCLUDED.territory_id, cabinet_id = EXCLUDED.cabinet_id,
                lat = EXCLUDED.lat, lon = EXCLUDED.lon, answered_at = EXCLUDED.answered_at,
                subject = EXCLUDED.subject, updated_at = EXCLUDED.updated_at
            """.replace("VALUES_HERE", values),
            states,
        )
        cursor.execute(
            "DELETE FROM problems_publicproblem p USING appeals_appeal a "
            "WHERE a.id = p.appeal_id AND NOT a.is_public"
        )
        for level in CLUSTER_LEVELS:
            cursor.execute(
                """
                INSERT INTO problems_problemcell
                    (level, cx, cy, state, category, territory, n, sum_lat, sum_lon)
                SELECT %s, floor(lon / %s)::int, floor(lat / %s)::int, state,
                    coalesce(category_id, 0), coalesce(territory_id, 0),
                    count(*), sum(lat), sum(lon)
                FROM problems_publicproblem WHERE lat IS NOT NULL AND lon IS NOT NULL
                GROUP BY 2, 3, 4, 5, 6
                """,
                [level, cell_size(level), cell_size(level)],
            )
        for level in DAY_CELL_LEVELS:
            cursor.execute(FILL_DAY_CELLS_SQL, [level, cell_size(level), cell_size(level)])
        # VACUUM sets the visibility map, so the map's covering indexes serve index-only scans.
        cursor.execute("VACUUM ANALYZE problems_publicproblem")
        cursor.execute("VACUUM ANALYZE problems_problemcell")
        cursor.execute("VACUUM ANALYZE problems_problemdaycell")
        cursor.execute("SELECT count(*) FROM problems_publicproblem")
        (count,) = cursor.fetchone()
    print(f"projected {count} public problems in {time.perf_counter() - started:.1f} s")


def main():
    if connection.vendor != "postgresql":
        sys.exit("bench/seed_appeals.py needs PostgreSQL: set DATABASE_URL.")
    if "--projection-only" in sys.argv:
        fill_projection()
        return
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    started = time.perf_counter()
    context = prepare()
    start = Appeal.objects.count()
    rnd = random.Random(42)  # noqa: S311 - benchmark data, not security
    with connection.cursor() as cursor:
        default_missing_columns(cursor)
        generator = rows(n, start, *context, rnd)
        while True:
            batch = [row for _, row in zip(range(BATCH), generator, strict=False)]
            if not batch:
                break
            copy_batch(cursor, batch)
        # VACUUM as well: without the visibility map that autovacuum would only set minutes
        # later, the work queue's counts read the heap (35 ms after a change becomes 230 ms).
        cursor.execute("VACUUM ANALYZE appeals_appeal")
    print(f"seeded {n} appeals (total {start + n}) in {time.perf_counter() - started:.1f} s")
    fill_projection()


if __name__ == "__main__":
    main()
