"""Building the public version of an appeal from the appeal (R13, R18: only public fields).

Personal data never reaches the projection: the author's name only when they chose to show
it; their e-mail, phone, postal address and the co-signers' names are cut out of the public
text and of the published answer wherever they occur (R13). The answer also loses its
greeting line when that line named the citizen ("Dear Ivan Petrovich,")."""

import math
import re
from datetime import UTC

from django.db import connection, transaction

from edem.core.events import ProblemHidden, ProblemPublished, publish

from .models import (
    CLUSTER_LEVELS,
    DAY_CELL_LEVELS,
    STATE_OF_STATUS,
    PublicProblem,
    PublicState,
    cell_size,
)
from .selectors import bump_version

REDACTED = "[…]"
GREETING_MAX = 120  # a first line this short that named the citizen is a greeting


def public_author_name(appeal):
    """The author's name, only if they chose to show it; never contacts or the address."""
    if not appeal.show_author_name:
        return ""
    return " ".join(p for p in (appeal.first_name, appeal.last_name) if p)


def personal_data(appeal, *, with_name=True):
    """The strings that must not be public: contacts, address, co-signers' names and (unless
    the author shows it) the author's name. Longest first so a full name goes before its parts."""
    values = [appeal.email, appeal.phone, appeal.postal_address]
    for line in (appeal.postal_address or "").splitlines():
        values.append(line)
    if with_name:
        values += [appeal.full_name, appeal.last_name, appeal.first_name, appeal.patronymic]
        values.append(" ".join(p for p in (appeal.first_name, appeal.patronymic) if p))
        values.append(" ".join(p for p in (appeal.first_name, appeal.last_name) if p))
    if appeal.pk:
        for cosigner in appeal.cosigners.select_related("user"):
            user = getattr(cosigner, "user", None)
            for attr in ("full_name", "last_name", "first_name", "email"):
                values.append(getattr(cosigner, attr, "") or getattr(user, attr, "") or "")
    cleaned = {v.strip() for v in values if v and len(v.strip()) >= 3}
    return sorted(cleaned, key=len, reverse=True)


def scrub(text, secrets):
    for secret in secrets:
        text = re.sub(re.escape(secret), REDACTED, text, flags=re.IGNORECASE)
    return text


def public_text(text, redactions, secrets=()):
    """The appeal's text with every moderated passage and every piece of personal data
    replaced by a visible mark."""
    for passage in redactions or ():
        if passage:
            text = text.replace(passage, REDACTED)
    return scrub(text, secrets)


def public_answer_text(text, secrets):
    """R13: the answer as published: personal data cut out, the greeting line dropped."""
    text = scrub(text, secrets)
    lines = text.splitlines()
    while lines and not lines[0].strip():
        lines.pop(0)
    if lines and REDACTED in lines[0] and len(lines[0]) <= GREETING_MAX:
        lines.pop(0)
    return "\n".join(lines).strip()


def answer_fields(appeal, secrets):
    answer = (
        appeal.answers.filter(signed_at__isnull=False).order_by("-signed_at", "-id").first()
        if appeal.pk
        else None
    )
    if answer is None:
        return {
            "answer_text": "",
            "answer_signer_name": "",
            "answer_signer_position": "",
            "answer_signed_at": None,
            "answered_on_time": None,
        }
    return {
        "answer_text": public_answer_text(answer.text, secrets),
        "answer_signer_name": answer.signer_name,
        "answer_signer_position": answer.signer_position,
        "answer_signed_at": answer.signed_at,
        "answered_on_time": answer.on_time,
    }


def projected_fields(appeal, redactions=()):
    secrets = personal_data(appeal)
    text_secrets = personal_data(appeal, with_name=not appeal.show_author_name)
    return {
        "state": STATE_OF_STATUS.get(appeal.status, PublicState.NEW),
        "status": appeal.status,
        "category_id": appeal.category_id,
        "territory_id": appeal.territory_id,
        "cabinet_id": appeal.cabinet_id,
        "author_id": appeal.author_id,
        "lat": float(appeal.latitude) if appeal.latitude is not None else None,
        "lon": float(appeal.longitude) if appeal.longitude is not None else None,
        "place": scrub(appeal.place, [s for s in secrets if s != appeal.place]),
        "received_at": appeal.received_at,
        "answered_at": appeal.answered_at,
        "number": appeal.number,
        "subject": scrub(appeal.subject, text_secrets),
        "text": public_text(appeal.text, redactions, text_secrets),
        "author_name": public_author_name(appeal),
        **answer_fields(appeal, secrets),
    }


def _cell_key(problem):
    if problem is None or problem.lat is None or problem.lon is None:
        return None
    return (
        problem.lat,
        problem.lon,
        int(problem.state),
        problem.category_id or 0,
        problem.territory_id or 0,
        problem.received_at.astimezone(UTC).date(),
    )


def move_in_cells(old, new):
    """Keep ``ProblemCell`` in step: take ``old`` (lat, lon, state, category, territory) out of
    its cells
    and put ``new`` in, on every precomputed zoom level. Either may be None."""
    if old == new:
        return
    sql = (
        "INSERT INTO problems_problemcell "
        "(level, cx, cy, state, category, territory, n, sum_lat, sum_lon) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) "
        "ON CONFLICT (level, cx, cy, state, category, territory) DO UPDATE SET "
        "n = problems_problemcell.n + EXCLUDED.n, "
        "sum_lat = problems_problemcell.sum_lat + EXCLUDED.sum_lat, "
        "sum_lon = problems_problemcell.sum_lon + EXCLUDED.sum_lon"
    )
    day_sql = (
        "INSERT INTO problems_problemdaycell (level, cx, cy, day, state, n, sum_lat, sum_lon) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "
        "ON CONFLICT (level, cx, cy, day, state) DO UPDATE SET "
        "n = problems_problemdaycell.n + EXCLUDED.n, "
        "sum_lat = problems_problemdaycell.sum_lat + EXCLUDED.sum_lat, "
        "sum_lon = problems_problemdaycell.sum_lon + EXCLUDED.sum_lon"
    )
    params, day_params = [], []
    for key, sign in ((old, -1), (new, 1)):
        if key is None:
            continue
        lat, lon, state, category, territory, day = key
        for level in CLUSTER_LEVELS:
            size = cell_size(level)
            cx, cy = math.floor(lon / size), math.floor(lat / size)
            params.append((level, cx, cy, state, category, territory, sign, sign * lat, sign * lon))
            if level in DAY_CELL_LEVELS:
                day_params.append((level, cx, cy, day, state, sign, sign * lat, sign * lon))
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
        cursor.executemany(day_sql, day_params)


def _bump():
    """Cached maps and counts go stale now and again at commit (a reader between the two
    could have cached the old rows)."""
    bump_version()
    transaction.on_commit(bump_version)


def sync_public_problem(appeal):
    """Create, refresh or remove the appeal's public version. The counters (owned by
    appeals.community) and the moderation lists are never overwritten here. A problem that
    appears publishes ``ProblemPublished``, one that goes ``ProblemHidden``."""
    with transaction.atomic():
        problem = PublicProblem.objects.select_for_update().filter(pk=appeal.pk).first()
        if not appeal.is_public:
            if problem is not None:
                move_in_cells(_cell_key(problem), None)
                problem.delete()
                _bump()
                publish(ProblemHidden(appeal_id=appeal.pk))
            return None
        if problem is None:
            problem = PublicProblem(appeal_id=appeal.pk, **projected_fields(appeal))
            problem.save(force_insert=True)
            move_in_cells(None, _cell_key(problem))
            _bump()
            publish(ProblemPublished(appeal_id=appeal.pk, author_id=appeal.author_id))
            return problem
        old_key = _cell_key(problem)
        fields = projected_fields(appeal, problem.redactions)
        changed = [name for name, value in fields.items() if getattr(problem, name) != value]
        if changed:
            for name in changed:
                setattr(problem, name, fields[name])
            problem.save(update_fields=[*changed, "updated_at"])
            move_in_cells(old_key, _cell_key(problem))
            _bump()
        return problem
