"""The mail gateway's inbound throughput against a real IMAP server (Dovecot).

    createdb -h 127.0.0.1 -U postgres edem_bench_gateway
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/edem_bench_gateway \
        .venv/bin/python bench/gateway.py

Starts a throwaway Dovecot (tests/integrations/dovecot.py; needs dovecot-imapd), migrates the
database, seeds a cabinet, an external body and one forwarded appeal per BENCH_CASES (each
with its letter and reply token), APPENDs BENCH_MESSAGES replies (multipart, koi8-r text, a
small PNG attachment) and as many citizens' e-mails (cp1251, distinct senders), then times
the beat task's ``poll`` over each set. Prints messages per second filed and auto-replied.
Mail delivery is queued (in-memory broker), not sent: the figure is the gateway's own work
(IMAP fetch and move, parsing, upload checks, the transaction, the subscribers after commit).
"""

import io
import os
import sys
import time
import uuid
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import make_msgid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edem.settings")
os.environ.setdefault("DEBUG", "0")
# Mail and retries are queued for workers (an in-memory broker), as in production; the domain
# events' subscribers run after each commit in this process, as they do in the beat's worker.
os.environ.setdefault("CELERY_BROKER_URL", "memory://")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "0")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from PIL import Image  # noqa: E402

from appeals import services  # noqa: E402
from appeals.workflow import Status  # noqa: E402
from cabinets.models import ExternalBody  # noqa: E402
from cabinets.roles import Role  # noqa: E402
from integrations.gateway import inbound  # noqa: E402
from tests.factories import AppealFactory, CabinetFactory, member  # noqa: E402
from tests.integrations import dovecot  # noqa: E402

CASES = int(os.environ.get("BENCH_CASES", "20"))
MESSAGES = int(os.environ.get("BENCH_MESSAGES", "300"))


def png():
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 120, 200)).save(out, "PNG")
    return out.getvalue()


def reply(letter, n, image):
    message = MIMEMultipart()
    message["From"] = "Прокуратура <prokuratura@bench.example>"
    message["To"] = f"gateway+{letter.token}@bench.example"
    message["Subject"] = f"Re: [ref:{letter.token}] {n}"
    message["Message-ID"] = make_msgid(domain="bench.example")
    message.attach(MIMEText(f"Ответ N {n}: проверка проведена.", "plain", "koi8-r"))
    part = MIMEApplication(image, "png")
    part.replace_header("Content-Type", "image/png")
    part.add_header("Content-Disposition", "attachment", filename=("windows-1251", "", "фото.png"))
    message.attach(part)
    return message.as_bytes()


def citizen(n):
    message = MIMEText("Во дворе яма.", "plain", "cp1251")
    message["From"] = f"citizen{n}-{uuid.uuid4().hex[:6]}@bench.example"
    message["To"] = "gateway@bench.example"
    message["Subject"] = "Жалоба"
    message["Message-ID"] = make_msgid(domain="bench.example")
    return message.as_bytes()


def timed_poll(server, count):
    started = time.perf_counter()
    handled = {}
    while dovecot.count(server, "INBOX"):
        for outcome, n in inbound.poll().items():
            handled[outcome] = handled.get(outcome, 0) + n
    elapsed = time.perf_counter() - started
    return handled, elapsed


def main():
    call_command("migrate", verbosity=0)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.EDEM_GATEWAY_ADDRESS = "gateway@bench.example"
    with dovecot.dovecot_server() as server:
        settings.EDEM_GATEWAY_IMAP_HOST = server["host"]
        settings.EDEM_GATEWAY_IMAP_PORT = server["port"]
        settings.EDEM_GATEWAY_IMAP_USER = server["user"]
        settings.EDEM_GATEWAY_IMAP_PASSWORD = server["password"]
        settings.EDEM_GATEWAY_IMAP_SSL = False
        tag = uuid.uuid4().hex[:8]
        cabinet = CabinetFactory(code=f"bench-{tag}")
        registrar = member(cabinet, Role.REGISTRAR, mfa=False, email=f"reg-{tag}@bench.example")
        member(cabinet, Role.HEAD, mfa=False, email=f"head-{tag}@bench.example")
        body = ExternalBody.objects.create(
            name=f"Прокуратура {tag}", kind="law_enforcement", email="prokuratura@bench.example"
        )
        letters = []
        for _ in range(CASES):
            appeal = services.register(
                appeal=AppealFactory(cabinet=cabinet, status=Status.RECEIVED, author=None),
                actor=registrar,
            )
            services.forward(appeal=appeal, actor=registrar, to_body=body, reason="Компетенция")
            letters.append(appeal.gateway_letters.get())
        image = png()
        for n in range(MESSAGES):
            dovecot.append(server, reply(letters[n % CASES], n, image))
        handled, elapsed = timed_poll(server, MESSAGES)
        print(f"gateway replies filed: {handled.get('filed', 0)} in {elapsed:.2f} s")
        print(f"gateway replies filed per second: {handled.get('filed', 0) / elapsed:.1f} msg/s")
        for n in range(MESSAGES):
            dovecot.append(server, citizen(n))
        handled, elapsed = timed_poll(server, MESSAGES)
        print(
            f"gateway citizens' mail auto-replied: {handled.get('auto_replied', 0)} in {elapsed:.2f} s"
        )
        print(
            f"gateway citizens' mail handled per second: {sum(handled.values()) / elapsed:.1f} msg/s"
        )


if __name__ == "__main__":
    main()
