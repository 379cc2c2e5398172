"""Factories of discussions of draft acts; never copy-paste setup."""

import io
import zipfile
from datetime import timedelta
from xml.sax.saxutils import escape

import factory
from django.utils import timezone

from consultations.discussions import services
from consultations.discussions.models import Comment, Discussion
from consultations.discussions.workflow import Status
from tests.factories import CabinetFactory, CitizenFactory, UserFactory

DRAFT_MD = """# Общие положения

Настоящее положение определяет порядок благоустройства дворовых территорий.

Положение применяется на всей территории муниципального образования.

## Порядок работ

Работы выполняются с апреля по октябрь.

Жители уведомляются за десять дней до начала работ.
"""


class DiscussionFactory(factory.django.DjangoModelFactory):
    """A discussion with version 1 of its text (``text=`` Markdown, ``None`` for no text)."""

    class Meta:
        model = Discussion
        skip_postgeneration_save = True

    cabinet = factory.SubFactory(CabinetFactory)
    title = factory.Sequence(lambda n: f"Проект положения о благоустройстве № {n}")
    summary = "Проект выносится на общественное обсуждение."
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(days=21))
    status = Status.ACTIVE
    initiator = factory.SubFactory(UserFactory)

    @factory.post_generation
    def text(obj, create, extracted, **kwargs):
        source = DRAFT_MD if extracted is None else extracted
        if create and source:
            services.store_version(obj, obj.initiator, markdown=source)


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    discussion = factory.SubFactory(DiscussionFactory)
    paragraph = factory.LazyAttribute(
        lambda o: o.discussion.current_version().paragraphs.order_by("order").first()
    )
    kind = Comment.Kind.COMMENT
    text = "Предлагаю уточнить сроки."
    author = factory.SubFactory(CitizenFactory)


def docx_bytes(blocks):
    """A minimal Word document built by hand (no python-docx): ``blocks`` are
    ("Heading1"|"Heading2"|"", text) pairs, each one paragraph of word/document.xml."""
    body = []
    for style, text in blocks:
        props = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
        body.append(f'<w:p>{props}<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>')
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{''.join(body)}</w:body></w:document>"
    )
    styles = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        '<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/></w:style>'
        '<w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/></w:style>'
        "</w:styles>"
    )
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
        '<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>'
        "</Types>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
        "</Relationships>"
    )
    document_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
        "</Relationships>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", rels)
        archive.writestr("word/document.xml", document)
        archive.writestr("word/_rels/document.xml.rels", document_rels)
        archive.writestr("word/styles.xml", styles)
    return out.getvalue()
