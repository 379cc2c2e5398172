"""The answer letter (R12): rendered by WeasyPrint through ``edem.documents`` with the
cabinet's letterhead, number and date, the citizen's name and address, the answer, the signer,
and a verification code with a QR link to the public page that confirms the letter. Also the
registration card (R4) and the letter of a request for documents sent by post (R7)."""

import base64
import hashlib
import io
import secrets

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.urls import reverse

from cabinets.access import position_in
from edem.documents.pdf import render_pdf


def text_hash(text):
    return hashlib.sha256(text.strip().encode("utf-8")).hexdigest()


def new_verification_code():
    """Twelve characters a person can type (no 0/O, 1/I), grouped by four."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def new_tracking_code():
    """Eight characters a person can type (the same alphabet), grouped by four: with the
    registration number it lets the citizen look up the status (integrations.widget)."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def verification_url(code):
    return settings.SITE_URL + reverse("appeals:verify_letter", args=[code])


def qr_data_uri(url):
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=1)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def answer_letter_pdf(answer, *, language=None):
    appeal = answer.appeal
    url = verification_url(answer.verification_code)
    context = {
        "appeal": appeal,
        "answer": answer,
        "cabinet": appeal.cabinet,
        "verification_url": url,
        "qr": qr_data_uri(url),
    }
    return render_pdf("appeals/letters/answer.html", context, language=language)


def registration_card_pdf(appeal, *, language=None):
    """The registration card of an appeal (R4): number, dates, channel, citizen, substance."""
    return render_pdf(
        "appeals/letters/registration_card.html",
        {"appeal": appeal, "cabinet": appeal.cabinet, "events": appeal.events.all()},
        language=language,
    )


def request_letter_pdf(request, *, language=None):
    """The letter of a request for documents to be posted (R7): the cabinet's letterhead, the
    addressee and its postal address, what is requested, the files enclosed, where to reply and
    with which appeal number, by when, and the signature block of the official who made it. The
    citizen's data and the appeal's text stay in the case (59-FZ Art. 6(2))."""
    appeal = request.appeal
    signer = request.sent_by
    return render_pdf(
        "appeals/letters/request.html",
        {
            "appeal": appeal,
            "cabinet": appeal.cabinet,
            "request": request,
            "files": list(request.files.order_by("pk")),
            "signer_name": signer.get_full_name() or str(signer),
            "signer_position": position_in(signer, appeal.cabinet_id),
        },
        language=language,
    )
