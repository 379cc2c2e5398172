"""WeasyPrint rendering shared by every PDF the portal makes (letters, cards, reports).

Documents are rendered from Django templates. The HTML fed to WeasyPrint may contain text a
citizen typed, so the URL fetcher refuses everything but inline ``data:`` URLs: no
``file://`` (local files), no ``http(s)://`` (server-side requests). Stylesheets are inline and
fonts come from the system (DejaVu covers Cyrillic), so nothing needs fetching.
"""

import logging

from django.template.loader import render_to_string
from django.utils import translation

logger = logging.getLogger(__name__)

ALLOWED_PROTOCOLS = frozenset({"data"})


def safe_url_fetcher():
    """A WeasyPrint fetcher that only resolves ``data:`` URLs."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols=ALLOWED_PROTOCOLS, allow_redirects=False, timeout=5)


def html_to_pdf(html):
    """Render an HTML string to PDF bytes with the safe fetcher."""
    from weasyprint import HTML

    return HTML(string=html, base_url=None, url_fetcher=safe_url_fetcher()).write_pdf()


def render_pdf(template_name, context, *, language=None):
    """Render ``template_name`` with ``context`` (in ``language`` if given) and return PDF bytes."""
    if language:
        with translation.override(language):
            html = render_to_string(template_name, context)
    else:
        html = render_to_string(template_name, context)
    return html_to_pdf(html)
