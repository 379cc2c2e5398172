"""What the webhook tests share: a real HTTP receiver on 127.0.0.1 that checks signatures with
the README's own code (the "webhook-receiver" block of README.md, run as a module), an API
client of a cabinet and its subscription."""

import re
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from integrations.models import ApiClient, WebhookSubscription
from integrations.webhooks import catalogue, services
from tests.factories import UserFactory

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_receiver():
    """The namespace of the README's receiver example: ``verify``, ``Receiver``, ``SECRET``."""
    text = README.read_text(encoding="utf-8")
    match = re.search(r"<!-- webhook-receiver -->\n```python\n(.*?)```", text, re.S)
    assert match, "README.md has lost its webhook receiver example"
    namespace = {"__name__": "readme_receiver"}
    exec(compile(match.group(1), "README.md", "exec"), namespace)  # noqa: S102 (our own README)
    return namespace


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Received:
    def __init__(self, headers, body, verified):
        self.headers, self.body, self.verified = headers, body, verified


class WebhookReceiver:
    """Answers each POST with the next status of ``answers`` (the last one repeats), and keeps
    what it received, with whether the README's ``verify`` accepted it for ``secret``."""

    def __init__(self, *, secret="", answers=(204,), port=0, handler=None):
        self.secret = secret
        self.answers = list(answers)
        self.received = []
        self.lock = threading.Lock()
        self.verify = readme_receiver()["verify"]
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                headers = dict(self.headers.items())
                with receiver.lock:
                    ok = receiver.verify(receiver.secret, self.headers, body)
                    receiver.received.append(Received(headers, body, ok))
                    code = (
                        receiver.answers.pop(0)
                        if len(receiver.answers) > 1
                        else receiver.answers[0]
                    )
                reply = f"answer {code}".encode()
                self.send_response(code)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), handler or Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hooks/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def api_client(cabinet, scopes=("read", "webhooks")):
    client = ApiClient(name=f"СЭД {cabinet.code}", acts_as=UserFactory(), scopes=list(scopes))
    client.new_token()
    client.save()
    client.cabinets.set([cabinet])
    return client


def subscribe(client, url, *types):
    """A subscription of ``client`` to ``types`` (all by default): (subscription, secret)."""
    subscription = WebhookSubscription(
        client=client, url=url, event_types=list(types or catalogue.EVENT_TYPES)
    )
    secret = services.issue_secret(subscription)  # as the admin's add page does
    subscription.full_clean()
    subscription.save()
    return subscription, secret
