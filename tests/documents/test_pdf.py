import io

import pytest
from pypdf import PdfReader

from edem.documents.pdf import html_to_pdf


def pdf_text(data):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_cyrillic_text_renders_and_reads_back():
    data = html_to_pdf(
        "<html><body><h1>Ответ на обращение № ADM-2026-000001</h1><p>Уважаемая Мария Петровна!</p></body></html>"
    )
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert "Ответ на обращение" in text and "ADM-2026-000001" in text and "Мария Петровна" in text


def test_file_and_remote_urls_are_never_fetched(tmp_path):
    secret = tmp_path / "secret.css"
    secret.write_text("body::after { content: 'LEAKED-SECRET'; }")
    image = tmp_path / "x.svg"
    image.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg"><text y="20">LEAKED-IMAGE</text></svg>'
    )
    html = (
        f'<html><head><link rel="stylesheet" href="file://{secret}"></head><body>'
        f'<p>Текст</p><img src="file://{image}"><img src="http://127.0.0.1:9/x.png">'
        '<iframe src="file:///etc/passwd"></iframe><object data="file:///etc/hostname"></object>'
        "</body></html>"
    )
    text = pdf_text(html_to_pdf(html))
    assert "Текст" in text
    assert "LEAKED" not in text
    assert "root:" not in text


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "http://example.org/a.css", "https://example.org/a.png"]
)
def test_fetcher_refuses_non_data_urls(url):
    from edem.documents.pdf import safe_url_fetcher

    with pytest.raises(ValueError):
        safe_url_fetcher().fetch(url)


def test_fetcher_allows_inline_data():
    from edem.documents.pdf import safe_url_fetcher

    response = safe_url_fetcher().fetch("data:text/plain;base64,0J/RgNC40LLQtdGC")
    assert response is not None
