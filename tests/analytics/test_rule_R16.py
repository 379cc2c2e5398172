"""R16, control and reporting: every answered question carries a classifier code and a result;
the monthly report per cabinet and for the municipality counts results by code (PDF, XLSX and
a machine-readable file), the quarterly public review is published with small counts hidden,
and the heads who subscribe get the monthly report by mail."""

import datetime
import importlib
import io
import json

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.apps import apps as django_apps
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from openpyxl import load_workbook
from pypdf import PdfReader

from analytics import reports
from analytics.models import AppealDay, Report, ReportSubscription
from appeals import services
from appeals.classifier_data import load_starter
from appeals.models import Appeal, AppealEvent, Category, ClassifierCode
from appeals.workflow import Status
from cabinets.roles import Role
from edem.core.workflow import TransitionNotAllowed
from edem.notifications.models import Notification
from tests.factories import TOTP_SECRET, AppealFactory, CabinetFactory, classifier_code, member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _starter_classifier():
    """The starter list is loaded by the migrations; a transactional test that ran earlier in
    the same process empties the tables after itself, so it is loaded again when it is gone
    (as ``tests.factories.classifier_code`` does)."""
    if not ClassifierCode.objects.exists():
        load_starter(ClassifierCode)


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


def _code():
    cache.clear()  # a code is taken once (allauth keeps the used ones): a new signature here
    return format_hotp_value(hotp_value(TOTP_SECRET, int(timezone.now().timestamp()) // 30))


@pytest.fixture
def desk():
    cabinet = CabinetFactory(code="roads")
    return {
        "cabinet": cabinet,
        "head": member(cabinet, Role.HEAD),
        "registrar": member(cabinet, Role.REGISTRAR),
        "executor": member(cabinet, Role.EXECUTOR),
    }


def _registered(desk, **fields):
    appeal = AppealFactory(cabinet=desk["cabinet"], **fields)
    services.register(appeal=appeal, actor=desk["registrar"])
    appeal.refresh_from_db()
    return appeal


def _in_work(desk, **fields):
    appeal = _registered(desk, **fields)
    services.assign(appeal=appeal, actor=desk["head"], executor=desk["executor"])
    appeal.refresh_from_db()
    return appeal


# --- the code and the result on every answered question --------------------------------------


def test_R16_the_starter_classifier_is_loaded_by_migrate_for_both_profiles():
    # What ``migrate`` ran, run again on the tables as they are (it only adds what is missing).
    starter = importlib.import_module("appeals.migrations.0018_load_starter_classifier")
    ClassifierCode.objects.filter(profile="ru", code="0005.0005.0056.1152").delete()  # a leaf
    starter.forwards(django_apps, None)
    assert ClassifierCode.objects.filter(profile="ru", code="0005.0005.0056").exists()
    assert ClassifierCode.objects.filter(profile="ua", code="008").exists()
    child = ClassifierCode.objects.get(profile="ru", code="0005.0005.0056.1152")
    assert child.parent.code == "0005.0005.0056" and child.level == 4


def test_R16_registration_gives_the_categorys_code(desk):
    code = classifier_code("0005.0005.0056")
    heating = Category.objects.create(name="Heating", classifier=code)
    appeal = _in_work(desk, category=heating)
    assert appeal.classifier == code
    plain = _in_work(desk, category=Category.objects.create(name="Other"))
    assert plain.classifier is None


@pytest.mark.parametrize("result", ["", "forwarded", "no_merits", "nonsense"])
def test_R16_an_answer_needs_one_of_the_four_results_on_the_merits(desk, result):
    appeal = _in_work(desk)
    with pytest.raises(TransitionNotAllowed, match="result"):
        services.draft_answer(
            appeal=appeal,
            actor=desk["executor"],
            text="Done.",
            result=result,
            classifier=classifier_code(),
        )


def test_R16_an_answer_needs_a_classifier_code_of_the_profile_in_use(desk):
    appeal = _in_work(desk)
    with pytest.raises(TransitionNotAllowed, match="code"):
        services.draft_answer(appeal=appeal, actor=desk["executor"], text="x", result="explained")
    ukrainian = ClassifierCode.objects.get(profile="ua", code="008")
    with pytest.raises(TransitionNotAllowed, match="classifier in use"):
        services.draft_answer(
            appeal=appeal,
            actor=desk["executor"],
            text="x",
            result="explained",
            classifier=ukrainian,
        )
    retired = classifier_code("0001.0001")
    retired.is_active = False
    retired.save()
    with pytest.raises(TransitionNotAllowed, match="classifier in use"):
        services.draft_answer(
            appeal=appeal, actor=desk["executor"], text="x", result="explained", classifier=retired
        )


def test_R16_signing_is_refused_without_result_and_the_signed_line_keeps_them(desk):
    appeal = _in_work(desk)
    services.draft_answer(
        appeal=appeal,
        actor=desk["executor"],
        text="Repaired.",
        result="measures",
        classifier=classifier_code("0003.0009.0098"),
    )
    Appeal.objects.filter(pk=appeal.pk).update(result="")  # as an old draft would have it
    with pytest.raises(TransitionNotAllowed, match="no result or classifier code"):
        services.sign_answer(appeal=appeal, actor=desk["head"], otp_code=_code())
    Appeal.objects.filter(pk=appeal.pk).update(result="measures")
    services.sign_answer(appeal=appeal, actor=desk["head"], otp_code=_code())
    line = appeal.events.get(action="sign_answer")
    assert line.data["result"] == "measures" and line.data["classifier"] == "0003.0009.0098"


def test_R16_no_merits_and_forwarding_carry_their_results(desk):
    appeal = _registered(desk)
    services.close_no_merits(
        appeal=appeal, actor=desk["head"], ground="unclear", note="Cannot tell what is asked."
    )
    appeal.refresh_from_db()
    assert appeal.result == Appeal.Result.NO_MERITS
    assert appeal.events.get(action="close_no_merits").data["result"] == "no_merits"
    other = CabinetFactory(code="parks")
    moving = _registered(desk)
    services.forward(appeal=moving, actor=desk["head"], to_cabinet=other, reason="Parks decide")
    line = moving.events.get(action="forward")
    assert line.data["result"] == "forwarded" and line.data["from_cabinet"] == desk["cabinet"].pk


def test_R16_the_draft_form_offers_the_results_and_the_codes(client, desk):
    appeal = _in_work(desk)
    client.force_login(desk["executor"])
    card = reverse("appeals_service:card", args=[appeal.pk])
    body = client.get(card).content.decode()
    assert 'name="draft_answer-result"' in body and 'name="draft_answer-classifier"' in body
    assert "0005.0005.0056 " in body
    response = client.post(
        reverse("appeals_service:act", args=[appeal.pk, "draft_answer"]),
        {"draft_answer-text": "Repaired.", "draft_answer-result": ""},
    )
    assert response.status_code in (200, 400)
    appeal.refresh_from_db()
    assert appeal.status != Status.ANSWER_DRAFTED


# --- the reports ------------------------------------------------------------------------------


def _answered(desk, code, result, when):
    appeal = _in_work(desk)
    services.draft_answer(
        appeal=appeal,
        actor=desk["executor"],
        text="Answer.",
        result=result,
        classifier=classifier_code(code),
    )
    services.sign_answer(appeal=appeal, actor=desk["head"], otp_code=_code())
    AppealEvent.objects.filter(appeal=appeal).update(at=when)
    return appeal


@pytest.fixture
def last_month(desk):
    """Answers of last month in the cabinet (three about heating, one about roads), one this
    month, and a rollup line of receipt."""
    today = timezone.localdate()
    first = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    at = timezone.make_aware(datetime.datetime.combine(first, datetime.time(12)))
    for result in ("supported", "supported", "explained"):
        _answered(desk, "0005.0005.0056.1151", result, at)
    _answered(desk, "0003.0009.0098", "not_supported", at)
    _answered(desk, "0003.0009.0098", "explained", timezone.now())
    AppealDay.objects.create(
        cabinet=desk["cabinet"], day=first, channel="portal", kind="statement", received=5
    )
    return first


def test_R16_monthly_report_counts_results_by_code_in_pdf_xlsx_and_json(desk, last_month):
    report, made = reports.build(
        kind=Report.Kind.MONTHLY, start=last_month, cabinet=desk["cabinet"]
    )
    assert made
    rows = {row["code"]: row for row in report.data["by_code"]}
    assert rows["0005.0005.0056.1151"]["counts"]["supported"] == 2
    assert rows["0005.0005.0056.1151"]["counts"]["explained"] == 1
    assert rows["0003.0009.0098"]["counts"]["not_supported"] == 1
    assert rows["0003.0009.0098"]["total"] == 1  # this month's answer is not in it
    assert report.data["summary"]["received"] == 5
    with report.pdf.open("rb") as stored:
        text = "".join(page.extract_text() for page in PdfReader(stored).pages)
    with translation.override(settings.LANGUAGE_CODE):  # reports are in the portal's language
        heading, code_header = gettext("Results by classifier code"), gettext("Code")
    assert "0005.0005.0056.1151" in text and heading in text
    with report.xlsx.open("rb") as stored:
        sheet = load_workbook(io.BytesIO(stored.read())).worksheets[1]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0] == code_header
    assert [values[1][0], *values[1][2:]] == ["0003.0009.0098", 0, 0, 0, 1, 0, 0, 1]
    again, made = reports.build(kind=Report.Kind.MONTHLY, start=last_month, cabinet=desk["cabinet"])
    assert again.pk == report.pk and not made  # made once


def test_R16_the_municipality_report_covers_every_cabinet(desk, last_month):
    other = CabinetFactory(code="parks")
    head = member(other, Role.HEAD)
    appeal = AppealFactory(cabinet=other)
    services.register(appeal=appeal, actor=head)
    services.close_no_merits(appeal=appeal, actor=head, ground="unclear", note="Unclear.")
    at = timezone.make_aware(datetime.datetime.combine(last_month, datetime.time(9)))
    AppealEvent.objects.filter(appeal=appeal).update(at=at)
    report, _made = reports.build(kind=Report.Kind.MONTHLY, start=last_month)
    assert report.cabinet is None
    assert report.data["result_totals"]["no_merits"] == 1
    assert report.data["result_totals"]["supported"] == 2


def test_R16_quarterly_review_is_public_and_hides_small_counts(client, desk, last_month):
    review, _made = reports.build(kind=Report.Kind.QUARTERLY, start=last_month)
    assert review.is_public
    rows = {row["code"]: row for row in review.data["by_code"]}
    assert rows["0003.0009.0098"]["counts"]["not_supported"] is None  # 1: hidden
    assert rows["0005.0005.0056.1151"]["total"] == 3
    page = client.get(reverse("analytics:review", args=[review.pk]))
    assert page.status_code == 200
    assert "fewer than 3" in page.content.decode()
    data = json.loads(
        client.get(reverse("analytics:review_file", args=[review.pk, "json"])).content
    )
    assert all(v != 1 and v != 2 for row in data["by_code"] for v in row["counts"].values())
    assert client.get(reverse("analytics:review_file", args=[review.pk, "pdf"]))[
        "Content-Type"
    ] == ("application/pdf")
    assert str(review.pk) in client.get(reverse("analytics:reviews")).content.decode()
    monthly, _made = reports.build(
        kind=Report.Kind.MONTHLY, start=last_month, cabinet=desk["cabinet"]
    )
    assert client.get(reverse("analytics:review", args=[monthly.pk])).status_code == 404


def test_R16_the_beat_task_makes_what_is_due_once_and_mails_the_subscribers(desk, last_month):
    ReportSubscription.objects.create(user=desk["head"], cabinet=desk["cabinet"])
    ReportSubscription.objects.create(user=desk["executor"], cabinet=desk["cabinet"])  # not a head
    made = reports.build_due()
    assert made == 3  # the cabinet's and the municipality's month, the quarter's review
    assert reports.build_due() == 0
    mails = Notification.objects.filter(template="analytics/report")
    # The head of a top cabinet gets its report and the municipality's; the executor none.
    assert list(mails.values_list("recipient", flat=True)) == [desk["head"].pk] * 2
    assert {m.attachments[0]["mimetype"] for m in mails} == {"application/pdf"}


def test_R16_heads_read_make_and_subscribe_others_get_404(client, desk, last_month):
    url = reverse("analytics_service:reports", args=["roads"])
    client.force_login(desk["executor"])
    assert client.get(url).status_code == 404
    client.force_login(desk["head"])
    assert b"No reports yet" in client.get(url).content
    response = client.post(url, {"month": last_month.isoformat()})
    assert response.status_code == 302
    report = Report.objects.get(cabinet=desk["cabinet"])
    pdf = client.get(reverse("analytics_service:report_file", args=["roads", report.pk, "pdf"]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    client.post(url, {"action": "subscribe"})
    assert ReportSubscription.objects.filter(user=desk["head"]).exists()
    client.post(url, {"action": "unsubscribe"})
    assert not ReportSubscription.objects.filter(user=desk["head"]).exists()
    outsider = member(CabinetFactory(code="other"), Role.HEAD)
    client.force_login(outsider)
    file_url = reverse("analytics_service:report_file", args=["other", report.pk, "pdf"])
    assert client.get(file_url).status_code == 404


def test_R16_load_classifier_takes_an_official_list(tmp_path):
    path = tmp_path / "official.csv"
    path.write_text("code;name\n0001;Государство\n0001.0099;Новая тема\n", encoding="utf-8")
    call_command("load_classifier", "--profile", "ru", "--file", str(path), "--replace")
    new = ClassifierCode.objects.get(profile="ru", code="0001.0099")
    assert new.parent.code == "0001" and new.is_active
    assert not ClassifierCode.objects.get(profile="ru", code="0005").is_active
