"""Turning a draft act into sections and paragraphs: from pasted Markdown or a Word (.docx)
file, and matching the paragraphs of a new version to the previous one (stable keys).

Markdown: a heading ``#`` or ``##`` starts a section; blocks separated by a blank line are
paragraphs. A .docx is judged by its content (a ZIP with ``word/document.xml``), never by its
name, converted to HTML by mammoth, and its headings 1–2 start sections.
"""

import difflib
import io
import os
import re
import zipfile
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.utils.translation import gettext as _

MAX_BYTES = 10 * 1024 * 1024
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_PARAGRAPHS = 3000
MAX_PARAGRAPH_CHARS = 20_000
SECTION_HEADING = re.compile(r"^(#{1,2})\s+(.+?)\s*#*\s*$")


class ImportRefused(ValueError):
    """The text cannot be imported; the message says why."""


@dataclass
class ParsedSection:
    title: str
    level: int = 1
    paragraphs: list = field(default_factory=list)


def _finish(sections):
    sections = [s for s in sections if s.paragraphs or s.title]
    count = sum(len(s.paragraphs) for s in sections)
    if count == 0:
        raise ImportRefused(_("The text has no paragraphs to discuss."))
    if count > MAX_PARAGRAPHS:
        raise ImportRefused(
            _("The text has more than %(n)d paragraphs; split the act.") % {"n": MAX_PARAGRAPHS}
        )
    for section in sections:
        for text in section.paragraphs:
            if len(text) > MAX_PARAGRAPH_CHARS:
                raise ImportRefused(
                    _("A paragraph is longer than %(n)d characters: “%(start)s…”.")
                    % {"n": MAX_PARAGRAPH_CHARS, "start": text[:60]}
                )
    return sections


def parse_markdown(text):
    """Markdown → [ParsedSection]. Headings ``#``/``##`` start sections; blank-line separated
    blocks are paragraphs."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    sections = [ParsedSection(title="")]
    block = []

    def flush():
        if block:
            paragraph = "\n".join(block).strip()
            if paragraph:
                sections[-1].paragraphs.append(paragraph)
            block.clear()

    for line in text.split("\n"):
        heading = SECTION_HEADING.match(line)
        if heading:
            flush()
            sections.append(
                ParsedSection(title=heading.group(2)[:500], level=len(heading.group(1)))
            )
        elif not line.strip():
            flush()
        else:
            block.append(line.rstrip())
    flush()
    return _finish(sections)


def _escape_markdown(text):
    """Plain text from Word must not turn into Markdown markup by accident."""
    text = re.sub(r"([\\`*_\[\]<>])", r"\\\1", text)
    return re.sub(r"^(\s*)([#>+-]|\d+[.)])(\s)", r"\1\\\2\3", text)


class _DocxHtml(HTMLParser):
    """Walks mammoth's HTML: h1/h2 start sections, p/h3-h6 are paragraphs, a list or a table
    is one paragraph; bold and italic are kept as Markdown."""

    BLOCKS = {"p", "h3", "h4", "h5", "h6", "li", "td", "th"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.sections = [ParsedSection(title="")]
        self.buffer = None
        self.heading = None
        self.lists = []  # stack of ("ul"|"ol", counter)
        self.list_lines = []
        self.table_rows = None
        self.row = None

    def handle_starttag(self, tag, attrs):
        if tag in ("h1", "h2"):
            self.heading = (int(tag[1]), [])
        elif tag in ("ul", "ol"):
            self.lists.append([tag, 0])
        elif tag == "table":
            self.table_rows = []
        elif tag == "tr" and self.table_rows is not None:
            self.row = []
        elif tag in self.BLOCKS:
            self.buffer = []
        elif tag in ("strong", "b") and self._target() is not None:
            self._target().append("**")
        elif tag in ("em", "i") and self._target() is not None:
            self._target().append("*")
        elif tag == "br" and self._target() is not None:
            self._target().append("\n")

    def _target(self):
        if self.heading is not None:
            return self.heading[1]
        return self.buffer

    def handle_endtag(self, tag):
        if tag in ("h1", "h2") and self.heading is not None:
            level, parts = self.heading
            self.heading = None
            title = " ".join("".join(parts).replace("**", "").replace("*", "").split())
            if title:
                self.sections.append(ParsedSection(title=title[:500], level=level))
        elif tag in ("strong", "b", "em", "i") and self._target() is not None:
            self._target().append("**" if tag in ("strong", "b") else "*")
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
            if not self.lists and self.list_lines:
                self._add("\n".join(self.list_lines))
                self.list_lines = []
        elif tag == "li" and self.buffer is not None:
            text = self._text()
            if text and self.lists:
                kind = self.lists[-1]
                kind[1] += 1
                marker = f"{kind[1]}." if kind[0] == "ol" else "-"
                indent = "   " * (len(self.lists) - 1)
                self.list_lines.append(f"{indent}{marker} {text}")
        elif tag in ("td", "th") and self.buffer is not None:
            if self.row is not None:
                self.row.append(self._text())
        elif tag == "tr" and self.row is not None:
            if any(self.row):
                self.table_rows.append(" | ".join(self.row))
            self.row = None
        elif tag == "table" and self.table_rows is not None:
            if self.table_rows:
                self._add("\n".join(self.table_rows))
            self.table_rows = None
        elif tag in self.BLOCKS and self.buffer is not None:
            text = self._text()
            if text:
                if tag.startswith("h"):
                    text = f"{'#' * int(tag[1])} {text}"
                if self.lists:
                    self.list_lines.append(text)
                else:
                    self._add(text)

    def _text(self):
        raw = "".join(self.buffer or [])
        self.buffer = None
        lines = [" ".join(line.split()) for line in raw.split("\n")]
        text = "  \n".join(line for line in lines if line)
        return text.replace("****", "").strip()

    def handle_data(self, data):
        target = self._target()
        if target is not None:
            target.append(_escape_markdown(data))

    def _add(self, text):
        self.sections[-1].paragraphs.append(text)


def is_docx(data):
    """A .docx is a ZIP archive with ``word/document.xml`` (judged by content, not name)."""
    if not data.startswith(b"PK"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def _unpacked_size(data):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return sum(info.file_size for info in archive.infolist())


def read_upload(upload):
    """The bytes of an uploaded file, refused if too large or empty."""
    name = os.path.basename(upload.name or "file")[:200]
    if upload.size is not None and upload.size > MAX_BYTES:
        raise ImportRefused(_("“%(name)s” is larger than 10 MB.") % {"name": name})
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ImportRefused(_("“%(name)s” is larger than 10 MB.") % {"name": name})
    if not data:
        raise ImportRefused(_("“%(name)s” is empty.") % {"name": name})
    return name, data


def parse_docx(data, name="document.docx"):
    """A Word document's bytes → [ParsedSection]; refused with a clear reason if the file is
    not a .docx."""
    import mammoth

    if not is_docx(data):
        raise ImportRefused(
            _(
                "“%(name)s” is not a Word document (.docx). Save the draft as .docx, or paste "
                "its text."
            )
            % {"name": name}
        )
    if _unpacked_size(data) > MAX_UNPACKED_BYTES:  # a zip bomb, not a draft act
        raise ImportRefused(
            _("“%(name)s” is too large once unpacked to be a draft act.") % {"name": name}
        )
    try:
        result = mammoth.convert_to_html(io.BytesIO(data))
    except Exception as exc:  # mammoth raises many kinds on a damaged file
        raise ImportRefused(
            _("“%(name)s” could not be read as a Word document.") % {"name": name}
        ) from exc
    parser = _DocxHtml()
    parser.feed(result.value)
    parser.close()
    return _finish(parser.sections)


# Stable keys across versions ---------------------------------------------------------------


def _similar(a, b):
    return difflib.SequenceMatcher(None, a.split(), b.split(), autojunk=False).ratio()


def match_keys(previous, texts, next_number, prefix="p", threshold=0.5):
    """Keys for ``texts`` (the new version, in order) given ``previous`` [(key, text)]:
    unchanged and similar items keep their key, order preserved; the others get new keys
    ``<prefix><n>`` counting from ``next_number``. Returns (keys, next_number)."""
    old_texts = [text for _key, text in previous]
    keys = [None] * len(texts)
    matcher = difflib.SequenceMatcher(None, old_texts, texts, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for offset in range(i2 - i1):
                keys[j1 + offset] = previous[i1 + offset][0]
        elif tag == "replace":
            pointer = i1
            for j in range(j1, j2):
                for i in range(pointer, i2):
                    if _similar(old_texts[i], texts[j]) >= threshold:
                        keys[j] = previous[i][0]
                        pointer = i + 1
                        break
    for index, key in enumerate(keys):
        if key is None:
            keys[index] = f"{prefix}{next_number}"
            next_number += 1
    return keys, next_number


def key_number(key):
    digits = re.sub(r"\D", "", key or "")
    return int(digits) if digits else 0
