"""Uploads in an S3-compatible object store (issue 11, point 7): the portal configured from the
environment as a deployment would be (EDEM_MEDIA_STORAGE=s3 …), against a real S3 server started
here (moto in server mode, over HTTP on a free port). Files of appeals stay behind the views that
check who may see them: they are streamed from the bucket, and the bucket's objects are private.
"""

import io
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import boto3
import pytest
import time_machine
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from moto.server import ThreadedMotoServer
from PIL import Image
from pypdf import PdfReader

from appeals import services
from appeals.models import Appeal
from cabinets.models import Publication
from cabinets.roles import Role
from tests.factories import (
    TOTP_SECRET,
    AppealFactory,
    CabinetFactory,
    CitizenFactory,
    PublicationFactory,
    classifier_code,
    member,
)
from tests.helpers import read_streaming

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
KEYS = {"AWS_ACCESS_KEY_ID": "edem-test", "AWS_SECRET_ACCESS_KEY": "edem-test-secret"}


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def storage_from_environment(endpoint, bucket):
    """The default storage that edem.settings builds from a deployment's environment, read
    from a fresh interpreter so that the real settings code runs."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
        **KEYS,
        "EDEM_MEDIA_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": bucket,
        "AWS_S3_ENDPOINT_URL": endpoint,
        "AWS_S3_REGION_NAME": "us-east-1",
        "AWS_S3_ADDRESSING_STYLE": "path",
        "DJANGO_SETTINGS_MODULE": "edem.settings",
    }
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json; from django.conf import settings; "
            "print(json.dumps(settings.STORAGES['default']))",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(out.stdout)


@pytest.fixture
def bucket(settings, s3_endpoint, tmp_path):
    name = f"edem-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id=KEYS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=KEYS["AWS_SECRET_ACCESS_KEY"],
    )
    client.create_bucket(Bucket=name)
    storage = storage_from_environment(s3_endpoint, name)
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    settings.STORAGES = {**settings.STORAGES, "default": storage}
    settings.MEDIA_ROOT = tmp_path / "must-stay-empty"
    assert default_storage.bucket_name == name  # the override reached the storage in use
    yield client, name
    assert not settings.MEDIA_ROOT.exists(), "nothing may be written to the local disk"


def keys_in(bucket):
    client, name = bucket
    return sorted(o["Key"] for o in client.list_objects_v2(Bucket=name).get("Contents", []))


def body_of(bucket, key):
    client, name = bucket
    return client.get_object(Bucket=name, Key=key)["Body"].read()


def jpeg(name="pit.jpg"):
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 60, 20)).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def test_the_settings_read_the_s3_store_from_the_environment(s3_endpoint):
    storage = storage_from_environment(s3_endpoint, "town-media")
    options = storage["OPTIONS"]
    assert options["bucket_name"] == "town-media" and options["endpoint_url"] == s3_endpoint
    assert options["access_key"] == KEYS["AWS_ACCESS_KEY_ID"]
    assert options["default_acl"] == "private" and options["querystring_auth"] is True
    assert options["querystring_expire"] <= 600 and options["addressing_style"] == "path"


def test_a_photo_filed_with_an_appeal_lives_in_the_bucket_and_only_its_people_see_it(
    client, bucket
):
    cabinet = CabinetFactory(code="adm", kind="administration")
    citizen = CitizenFactory()
    client.force_login(citizen)
    response = client.post(
        reverse("appeals:file"),
        {
            "kind": "statement",
            "cabinet": "",
            "subject": "Яма на дороге",
            "text": "Глубокая яма у дома 5.",
            "place": "ул. Садовая, 5",
            "last_name": "Иванова",
            "first_name": "Мария",
            "answer_channel": "email",
            "email": "ivanova@example.org",
            "personal_data_consent": "on",
            "attachments": jpeg(),
        },
    )
    appeal = Appeal.objects.get(author=citizen)
    assert response.status_code == 302 and appeal.cabinet == cabinet
    attachment = appeal.attachments.get()
    stored = keys_in(bucket)
    assert attachment.file.name in stored and attachment.thumbnail.name in stored
    photo = body_of(bucket, attachment.file.name)
    assert photo[:2] == b"\xff\xd8"

    # The author gets it through the checking view, streamed from the bucket (no redirect to a
    # bucket URL).
    url = reverse("appeals:my_attachment", args=[appeal.pk, attachment.pk])
    response = client.get(url)
    assert response.status_code == 200 and read_streaming(response) == photo
    thumb = client.get(reverse("appeals:my_attachment_thumb", args=[appeal.pk, attachment.pk]))
    assert read_streaming(thumb) == body_of(bucket, attachment.thumbnail.name)

    # An official of the cabinet reads it in the service cabinet.
    official = member(cabinet, Role.REGISTRAR)
    client.force_login(official)
    service_url = reverse("appeals_service:attachment", args=[appeal.pk, attachment.pk])
    response = client.get(service_url)
    assert response.status_code == 200 and read_streaming(response) == photo

    # An outsider (another citizen, an official of another cabinet) gets a 404.
    client.force_login(CitizenFactory())
    assert client.get(url).status_code == 404
    client.force_login(member(CabinetFactory(code="other"), Role.HEAD))
    assert client.get(service_url).status_code == 404

    # The object is private: only its owner has a grant, nobody reads it anonymously.
    client_, name = bucket
    grants = client_.get_object_acl(Bucket=name, Key=attachment.file.name)["Grants"]
    assert [g["Grantee"].get("URI") for g in grants] == [None]
    # Any URL the storage would give is signed and short-lived.
    signed = default_storage.url(attachment.file.name)
    assert "X-Amz-Signature=" in signed and "X-Amz-Expires=300" in signed


def test_the_pdf_letter_is_stored_in_the_bucket_and_read_back_for_its_citizen(client, bucket):
    cabinet = CabinetFactory(code="adm", name="Администрация города Демограда")
    head = member(cabinet, Role.HEAD)
    registrar = member(cabinet, Role.REGISTRAR)
    executor = member(cabinet, Role.EXECUTOR)
    with time_machine.travel("2026-03-02 09:00:00+00:00", tick=False):
        appeal = services.register(appeal=AppealFactory(cabinet=cabinet), actor=registrar)
    appeal = services.assign(appeal=appeal, actor=head, executor=executor)
    services.draft_answer(
        appeal=appeal,
        actor=executor,
        text="Фонари отремонтированы 10 марта.",
        result="explained",
        classifier=classifier_code(),
    )
    code = format_hotp_value(hotp_value(TOTP_SECRET, int(time.time()) // 30))
    answer = services.sign_answer(appeal=appeal, actor=head, otp_code=code)
    assert answer.letter.name in keys_in(bucket)
    stored = body_of(bucket, answer.letter.name)
    assert stored.startswith(b"%PDF-")

    client.force_login(appeal.author)
    response = client.get(reverse("appeals:my_letter", args=[appeal.pk]))
    data = read_streaming(response)
    assert response.status_code == 200 and data == stored
    text = " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split()
    )
    assert appeal.number in text and "Фонари отремонтированы" in text
    client.force_login(CitizenFactory())
    assert client.get(reverse("appeals:my_letter", args=[appeal.pk])).status_code == 404


def test_a_publication_image_is_served_from_the_bucket_by_the_portal(client, bucket):
    out = io.BytesIO()
    Image.new("RGB", (30, 20), (0, 90, 200)).save(out, "PNG")
    publication = PublicationFactory(
        status=Publication.Status.PUBLISHED,
        published_at=timezone.now(),
        image=SimpleUploadedFile("park.png", out.getvalue(), content_type="image/png"),
    )
    assert publication.image.name in keys_in(bucket)
    page = client.get(reverse("cabinets:publication_detail", args=[publication.pk]))
    image_url = reverse("cabinets:publication_image", args=[publication.pk])
    assert image_url in page.content.decode() and "X-Amz" not in page.content.decode()
    response = client.get(image_url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert read_streaming(response) == out.getvalue()
    Publication.objects.filter(pk=publication.pk).update(status=Publication.Status.DRAFT)
    assert client.get(image_url).status_code == 404
