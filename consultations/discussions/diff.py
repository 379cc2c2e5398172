"""What changed between two versions of a draft act: per paragraph (added, removed, changed,
unchanged) by the paragraphs' stable keys, with an inline word diff of changed paragraphs.
Pure functions over plain data; the template renders ``<ins>``/``<del>`` with text labels."""

import difflib
import re
from dataclasses import dataclass, field

TOKEN = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)


@dataclass
class Row:
    key: str
    status: str  # "added" | "removed" | "changed" | "unchanged"
    section: str = ""
    old_number: int | None = None
    new_number: int | None = None
    old_text: str = ""
    new_text: str = ""
    segments: list = field(default_factory=list)  # [(op, text)], op in equal/ins/del

    @property
    def is_added(self):
        return self.status == "added"

    @property
    def is_removed(self):
        return self.status == "removed"

    @property
    def is_changed(self):
        return self.status == "changed"


def word_diff(old, new):
    """[(op, text)] with op ``equal``, ``del`` or ``ins``: the words that changed, merged into
    runs."""
    a, b = TOKEN.findall(old), TOKEN.findall(new)
    segments = []

    def add(op, tokens):
        text = "".join(tokens)
        if not text:
            return
        if segments and segments[-1][0] == op:
            segments[-1] = (op, segments[-1][1] + text)
        else:
            segments.append((op, text))

    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            add("equal", a[i1:i2])
        else:
            if i2 > i1:
                add("del", a[i1:i2])
            if j2 > j1:
                add("ins", b[j1:j2])
    return segments


def compare(old, new):
    """``old`` and ``new``: [(key, number, section_title, text)] in order. Returns [Row] in the
    order of the new version, removed paragraphs where they used to be."""
    old_keys = [item[0] for item in old]
    new_keys = [item[0] for item in new]
    rows = []
    matcher = difflib.SequenceMatcher(None, old_keys, new_keys, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for o, n in zip(old[i1:i2], new[j1:j2], strict=True):
                if o[3] == n[3]:
                    rows.append(Row(n[0], "unchanged", n[2], o[1], n[1], o[3], n[3]))
                else:
                    rows.append(
                        Row(n[0], "changed", n[2], o[1], n[1], o[3], n[3], word_diff(o[3], n[3]))
                    )
            continue
        for o in old[i1:i2]:
            rows.append(Row(o[0], "removed", o[2], o[1], None, o[3], ""))
        for n in new[j1:j2]:
            rows.append(Row(n[0], "added", n[2], None, n[1], "", n[3]))
    return rows


def summary(rows):
    counts = {"added": 0, "removed": 0, "changed": 0, "unchanged": 0}
    for row in rows:
        counts[row.status] += 1
    return counts
