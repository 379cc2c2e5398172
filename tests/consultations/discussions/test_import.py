"""R27: the draft act's text, imported from Markdown or .docx, versioned with a diff."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from consultations.discussions import diff, importers, services
from consultations.discussions.workflow import Status
from edem.core.workflow import TransitionNotAllowed
from tests.factories import member

from .factories import DRAFT_MD, DiscussionFactory, docx_bytes

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_R27_markdown_headings_start_sections_and_blank_lines_separate_paragraphs():
    sections = importers.parse_markdown(
        "Преамбула без заголовка.\n\n# Раздел 1\n\nАбзац один,\nпродолжение.\n\n\nАбзац два.\n"
        "## Подраздел\nАбзац три.\n### Не раздел\n\nАбзац четыре."
    )
    assert [(s.title, s.level) for s in sections] == [
        ("", 1),
        ("Раздел 1", 1),
        ("Подраздел", 2),
    ]
    assert sections[0].paragraphs == ["Преамбула без заголовка."]
    assert sections[1].paragraphs == ["Абзац один,\nпродолжение.", "Абзац два."]
    assert sections[2].paragraphs == ["Абзац три.\n### Не раздел", "Абзац четыре."]


def test_R27_empty_text_is_refused():
    with pytest.raises(importers.ImportRefused):
        importers.parse_markdown("# Только заголовок\n\n   \n")


@pytest.mark.django_db
def test_R27_docx_import_headings_become_sections_paragraphs_stay_in_order():
    """A .docx built in the test with zipfile + WordprocessingML (python-docx is not used)."""
    discussion = DiscussionFactory(status=Status.DRAFT, text="")
    data = docx_bytes(
        [
            ("Heading1", "Общие положения"),
            ("", "Положение регулирует выгул собак."),
            ("", "Владельцы убирают за питомцами."),
            ("Heading2", "Ответственность"),
            ("", "За нарушение <предупреждение> *или* штраф."),
        ]
    )
    upload = SimpleUploadedFile("проект.docx", data, content_type=DOCX_TYPE)
    version = services.add_version(discussion=discussion, actor=discussion.initiator, upload=upload)
    assert version.number == 1 and version.source == "docx" and version.source_name == "проект.docx"
    sections = list(version.sections.order_by("order"))
    assert [(s.title, s.level) for s in sections] == [
        ("Общие положения", 1),
        ("Ответственность", 2),
    ]
    paragraphs = list(version.paragraphs.order_by("order"))
    assert [p.section_id for p in paragraphs] == [sections[0].pk, sections[0].pk, sections[1].pk]
    assert paragraphs[0].text == "Положение регулирует выгул собак."
    # Word text is plain text: no accidental Markdown or HTML from it.
    assert "<предупреждение>" not in paragraphs[2].html
    assert "&lt;предупреждение&gt; *или* штраф" in paragraphs[2].html


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF",  # a PDF renamed to .docx
        docx_bytes([("", "x")]).replace(b"word/document.xml", b"word/other000.xml"),  # a zip
        b"PK\x03\x04 broken",
    ],
)
def test_R27_non_docx_upload_is_refused_by_content(content):
    discussion = DiscussionFactory(status=Status.DRAFT, text="")
    upload = SimpleUploadedFile("проект.docx", content, content_type=DOCX_TYPE)
    with pytest.raises(TransitionNotAllowed, match="not a Word document"):
        services.add_version(discussion=discussion, actor=discussion.initiator, upload=upload)
    assert not discussion.versions.exists()


def test_R27_a_zip_bomb_named_docx_is_refused_before_unpacking(monkeypatch):
    import io
    import zipfile

    monkeypatch.setattr(importers, "MAX_UNPACKED_BYTES", 1_000_000)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<w:document/>")
        archive.writestr("word/media/huge.bin", b"\0" * 1_000_001)
    with pytest.raises(importers.ImportRefused, match="too large once unpacked"):
        importers.parse_docx(out.getvalue(), "bomb.docx")


@pytest.mark.django_db
def test_R27_version_2_maps_paragraphs_to_version_1_by_stable_keys():
    discussion = DiscussionFactory(status=Status.COMPLETED)
    v1 = discussion.current_version()
    head = member(discussion.cabinet, "head")
    changed = DRAFT_MD.replace("с апреля по октябрь", "с мая по сентябрь").replace(
        "Положение применяется на всей территории муниципального образования.\n\n", ""
    )
    changed += "\nПодрядчик восстанавливает газоны после работ.\n"
    v2 = services.add_version(discussion=discussion, actor=head, markdown=changed, note="Учтены")
    old = {p.text: p.key for p in v1.paragraphs.all()}
    new = {p.text: p.key for p in v2.paragraphs.all()}
    first = "Настоящее положение определяет порядок благоустройства дворовых территорий."
    assert new[first] == old[first]  # unchanged
    assert (
        new["Работы выполняются с мая по сентябрь."]
        == old["Работы выполняются с апреля по октябрь."]
    )
    assert new["Подрядчик восстанавливает газоны после работ."] not in old.values()  # added
    rows = diff.compare(
        [(p.key, p.order, "", p.text) for p in v1.paragraphs.order_by("order")],
        [(p.key, p.order, "", p.text) for p in v2.paragraphs.order_by("order")],
    )
    assert diff.summary(rows) == {"added": 1, "removed": 1, "changed": 1, "unchanged": 2}
    changed_row = next(r for r in rows if r.status == "changed")
    assert changed_row.segments == [
        ("equal", "Работы выполняются с "),
        ("del", "апреля"),
        ("ins", "мая"),
        ("equal", " по "),
        ("del", "октябрь"),
        ("ins", "сентябрь"),
        ("equal", "."),
    ]


def test_R27_word_diff_marks_only_the_changed_words():
    assert diff.word_diff("Срок — десять дней.", "Срок — пять рабочих дней.") == [
        ("equal", "Срок — "),
        ("del", "десять"),
        ("ins", "пять рабочих"),
        ("equal", " дней."),
    ]


@pytest.mark.django_db
def test_R27_diff_page_shows_ins_and_del_with_screen_reader_labels(client):
    discussion = DiscussionFactory(status=Status.COMPLETED)
    head = member(discussion.cabinet, "head")
    services.add_version(
        discussion=discussion,
        actor=head,
        markdown=DRAFT_MD.replace("за десять дней", "за четырнадцать дней"),
    )
    page = client.get(reverse("discussions:diff", args=[discussion.pk, 2]))
    html = page.content.decode()
    assert page.status_code == 200
    assert '<del><span class="visually-hidden">[removed:] </span>десять' in html
    assert '<ins><span class="visually-hidden">[added:] </span>четырнадцать' in html
    assert "Работы выполняются с апреля" not in html  # unchanged paragraphs hidden by default
    assert (
        "Работы выполняются с апреля"
        in client.get(
            reverse("discussions:diff", args=[discussion.pk, 2]) + "?all=1"
        ).content.decode()
    )
    assert client.get(reverse("discussions:diff", args=[discussion.pk, 1])).status_code == 404
