"""The gateway's mailbox over IMAP (stdlib ``imaplib``): IMAPS by default, plain IMAP with
STARTTLS or (for a local demo or test server) without. Messages are read with ``BODY.PEEK[]``
(reading marks nothing) and, once what they caused has committed, flagged ``\\Seen`` and moved
to the processed folder (``MOVE`` where the server has it, else copy, delete, expunge)."""

import imaplib
import re
import ssl

from django.conf import settings


class MailboxError(Exception):
    pass


def _check(response, what):
    status, data = response
    if status != "OK":
        raise MailboxError(f"IMAP {what}: {status} {data!r}")
    return data


def _quoted(folder):
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Mailbox:
    def __init__(
        self,
        *,
        host=None,
        port=None,
        user=None,
        password=None,
        use_ssl=None,
        starttls=None,
        folder=None,
        processed=None,
        timeout=None,
    ):
        self.host = host or settings.EDEM_GATEWAY_IMAP_HOST
        self.port = port or settings.EDEM_GATEWAY_IMAP_PORT
        self.user = user if user is not None else settings.EDEM_GATEWAY_IMAP_USER
        self.password = password if password is not None else settings.EDEM_GATEWAY_IMAP_PASSWORD
        self.use_ssl = settings.EDEM_GATEWAY_IMAP_SSL if use_ssl is None else use_ssl
        self.starttls = settings.EDEM_GATEWAY_IMAP_STARTTLS if starttls is None else starttls
        self.folder = folder or settings.EDEM_GATEWAY_IMAP_FOLDER
        self.processed = processed or settings.EDEM_GATEWAY_IMAP_PROCESSED_FOLDER
        self.timeout = timeout or settings.EDEM_GATEWAY_IMAP_TIMEOUT
        self.imap = None

    def __enter__(self):
        context = ssl.create_default_context()
        if self.use_ssl:
            self.imap = imaplib.IMAP4_SSL(
                self.host, self.port, ssl_context=context, timeout=self.timeout
            )
        else:
            self.imap = imaplib.IMAP4(self.host, self.port, timeout=self.timeout)
            if self.starttls:
                self.imap.starttls(ssl_context=context)
        _check(self.imap.login(self.user, self.password), "LOGIN")
        self.imap.create(_quoted(self.processed))  # "already exists" is fine
        _check(self.imap.select(_quoted(self.folder)), "SELECT")
        return self

    def __exit__(self, *exc):
        try:
            self.imap.close()
            self.imap.logout()
        except (imaplib.IMAP4.error, OSError):
            pass
        return False

    def uids(self, limit=None):
        """UIDs of the messages still in the folder (not deleted), oldest first."""
        data = _check(self.imap.uid("SEARCH", None, "UNDELETED"), "SEARCH")
        uids = [int(u) for u in (data[0] or b"").split()]
        return uids[:limit] if limit else uids

    def fetch(self, uid):
        """The raw message (bytes), without marking it read."""
        data = _check(self.imap.uid("FETCH", str(uid), "(BODY.PEEK[])"), "FETCH")
        for item in data:
            if isinstance(item, tuple) and re.search(rb"BODY\[\]", item[0]):
                return item[1]
        return None

    def move(self, uid):
        """Flag the message read and move it to the processed folder."""
        uid = str(uid)
        _check(self.imap.uid("STORE", uid, "+FLAGS", "(\\Seen)"), "STORE")
        if b"MOVE" in self._capabilities():
            _check(self.imap.uid("MOVE", uid, _quoted(self.processed)), "MOVE")
            return
        _check(self.imap.uid("COPY", uid, _quoted(self.processed)), "COPY")
        _check(self.imap.uid("STORE", uid, "+FLAGS", "(\\Deleted)"), "STORE")
        if b"UIDPLUS" in self._capabilities():
            _check(self.imap.uid("EXPUNGE", uid), "EXPUNGE")
        else:
            _check(self.imap.expunge(), "EXPUNGE")

    def _capabilities(self):
        return {c.encode() if isinstance(c, str) else c for c in self.imap.capabilities}
