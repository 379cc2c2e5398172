"""A very small "browser" over requests: it signs in, reads a form's fields the way a browser
would submit them (hidden fields included: CSRF token and any per-form token), and keeps the
counts of what it sent and what came back."""

import re
import threading
from collections import Counter
from html.parser import HTMLParser

import requests

TIMEOUT = 60


class FormFields(HTMLParser):
    """The fields of the first ``<form method=post>`` whose action or class contains ``match``,
    as a browser would
    send them without the user touching anything (checked boxes and radios, selected options,
    text areas' content)."""

    def __init__(self, match=""):
        super().__init__(convert_charrefs=True)
        self.match = match
        self.in_form = False
        self.done = False
        self.fields = {}
        self.options = {}  # select/radio name -> every non-empty value offered
        self._select = None
        self._select_first = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and not self.done:
            method = (attrs.get("method") or "get").lower()
            where = f"{attrs.get('action') or ''} {attrs.get('class') or ''}"
            if method == "post" and self.match in where:
                self.in_form = True
            return
        if not self.in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            value = attrs.get("value", "on" if kind in ("checkbox", "radio") else "")
            if kind in ("checkbox", "radio"):
                if value:
                    self.options.setdefault(name, []).append(value)
                if "checked" in attrs:
                    self.fields[name] = value
            elif kind not in ("submit", "button", "file", "image", "reset"):
                self.fields[name] = value
        elif tag == "select" and name:
            self._select, self._select_first = name, None
        elif tag == "option" and self._select:
            value = attrs.get("value", "")
            if value:
                self.options.setdefault(self._select, []).append(value)
            if "selected" in attrs:
                self.fields[self._select] = value
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            if self._textarea and self.fields[self._textarea].startswith("\n"):
                self.fields[self._textarea] = self.fields[self._textarea][1:]
            self._textarea = None
        elif tag == "form" and self.in_form:
            self.in_form = False
            self.done = True


def form_fields(html, match=""):
    parser = FormFields(match)
    parser.feed(html)
    return parser.fields, parser.options


class Tally:
    """Counts of one fault: requests sent and the answers' classes."""

    def __init__(self):
        self.lock = threading.Lock()
        self.statuses = Counter()
        self.errors = Counter()  # connection failures (no HTTP answer at all)

    def record(self, status):
        with self.lock:
            self.statuses[status] += 1

    def failed(self, error):
        with self.lock:
            self.errors[type(error).__name__] += 1

    @property
    def sent(self):
        return sum(self.statuses.values()) + sum(self.errors.values())

    def count(self, predicate):
        return sum(n for status, n in self.statuses.items() if predicate(status))

    @property
    def server_errors(self):
        return self.count(lambda s: s >= 500)

    def summary(self):
        parts = [f"{status}x{n}" for status, n in sorted(self.statuses.items())]
        parts += [f"{name}x{n}" for name, n in sorted(self.errors.items())]
        return " ".join(parts)


class Browser:
    def __init__(self, base_url, tally=None):
        self.base_url = base_url
        self.session = requests.Session()
        self.tally = tally

    def request(self, method, path, **kwargs):
        kwargs.setdefault("timeout", TIMEOUT)
        kwargs.setdefault("allow_redirects", False)
        headers = kwargs.setdefault("headers", {})
        if method == "POST":
            headers.setdefault("Referer", self.base_url + path)
        try:
            response = self.session.request(method, self.base_url + path, **kwargs)
        except requests.RequestException as error:
            if self.tally:
                self.tally.failed(error)
            raise
        if self.tally:
            self.tally.record(response.status_code)
        return response

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, data, **kwargs):
        return self.request("POST", path, data=data, **kwargs)

    def post_multipart(self, path, data, **kwargs):
        """As a browser sends a form with a file input: multipart/form-data."""
        parts = [(name, (None, value)) for name, value in data.items()]
        parts.append(("attachments", ("", b"", "application/octet-stream")))
        return self.request("POST", path, files=parts, **kwargs)

    def sign_in(self, email, password):
        page = self.session.get(self.base_url + "/account/login/", timeout=TIMEOUT)
        fields, _ = form_fields(page.text, "login")
        fields.update(login=email, password=password)
        response = self.session.post(
            self.base_url + "/account/login/",
            data=fields,
            headers={"Referer": self.base_url + "/account/login/"},
            timeout=TIMEOUT,
            allow_redirects=False,
        )
        assert response.status_code == 302, (response.status_code, response.text[:500])
        return response

    def filing_form(self):
        """The filing form's fields as the browser would send them, with a topic chosen and the
        consent box ticked; the caller sets subject, text and place."""
        page = self.session.get(self.base_url + "/appeals/new/", timeout=TIMEOUT)
        assert page.status_code == 200, page.status_code
        fields, options = form_fields(page.text, "appeal-form")
        fields.setdefault("kind", options.get("kind", ["statement"])[0])
        fields["category"] = options["category"][0]
        fields.setdefault("answer_channel", options.get("answer_channel", ["email"])[0])
        fields["personal_data_consent"] = "on"
        fields["is_public"] = "on"
        fields.pop("cabinet", None)
        fields.update(place="ул. Ленина, 1", latitude="56.0000", longitude="38.0000")
        return fields


APPEAL_URL = re.compile(r"/appeals/my/(\d+)/")


def appeal_id(response):
    match = APPEAL_URL.search(response.headers.get("Location", ""))
    return int(match.group(1)) if match else None
