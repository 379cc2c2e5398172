from django.shortcuts import get_object_or_404, render

from .models import Answer


def verify_letter(request, code):
    """Public page that confirms a signed answer letter: number, date, signer, text hash (R12).
    It shows nothing of the citizen."""
    answer = get_object_or_404(
        Answer.objects.select_related("appeal", "appeal__cabinet").filter(signed_at__isnull=False),
        verification_code=code.strip().upper(),
    )
    return render(
        request, "appeals/verify_letter.html", {"answer": answer, "appeal": answer.appeal}
    )
