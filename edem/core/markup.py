"""Markdown for texts that officials and residents write: rendered by markdown-it-py,
then sanitised by nh3 (Ammonia) so that no script, style, event handler or
``javascript:`` link survives."""

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "s", "del",
    "blockquote", "code", "pre", "ul", "ol", "li", "a", "img", "table", "thead", "tbody",
    "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}


def sanitize_html(html):
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def render_markdown(text):
    """Markdown source → safe HTML (a string to mark safe in templates)."""
    html = _md.render(text or "")
    # The page title is the only <h1>; headings inside a text start at level 2.
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    return sanitize_html(html)


# C0 control characters other than tab, line feed and carriage return: XML 1.0 forbids them,
# and Django's feed generator refuses a document that contains one (a 500 for the whole feed).
_XML_FORBIDDEN = dict.fromkeys(c for c in range(0x20) if c not in (0x09, 0x0A, 0x0D))


def xml_safe(text):
    """``text`` without the control characters XML cannot carry (for feeds)."""
    return str(text or "").translate(_XML_FORBIDDEN)
