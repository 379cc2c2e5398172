"""Mail backend for the embedded default: each message becomes one ``.eml`` file."""

import os
import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone


class EmlFileBackend(BaseEmailBackend):
    """Writes every message to ``EMAIL_FILE_PATH`` (``var/mail/``) as a standalone .eml file,
    which any mail client can open."""

    def __init__(self, *args, file_path=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.path = Path(file_path or getattr(settings, "EMAIL_FILE_PATH", "var/mail"))

    def send_messages(self, email_messages):
        if not email_messages:
            return 0
        self.path.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
            name = self.path / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
            tmp = name.with_suffix(".tmp")
            tmp.write_bytes(message.message().as_bytes(linesep="\r\n"))
            os.replace(tmp, name)
            sent += 1
        return sent
