"""Results as files: CSV for the initiator's cabinet, PDF for everyone who may see them (R31).
The PDF carries the same SVG charts as the page (WeasyPrint draws inline SVG)."""

import csv

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from edem.documents.pdf import render_pdf

from .models import Answer, Question

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """A CSV cell a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def results_csv(poll, results):
    """One row per option, scale value, territory and free text; formula-safe."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="poll-{poll.pk}-results.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)

    def row(*cells):
        writer.writerow([safe_cell(c) for c in cells])

    row(_("Poll"), poll.title)
    row(_("Status"), poll.get_status_display())
    row(_("Ballots"), results.ballots)
    row()
    row(
        _("Question"),
        _("Kind"),
        _("Answer"),
        _("Count"),
        _("Percent"),
        _("Borda points"),
        _("Average place"),
    )
    for index, result in enumerate(results.questions, 1):
        question = result.question
        label = f"{index}. {question.text}"
        kind = question.get_kind_display()
        if question.kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
            for o in result.options:
                row(label, kind, o["option"].text, o["count"], o["percent"], "", "")
        elif question.kind == Question.Kind.RANKING:
            for o in result.options:
                row(label, kind, o["option"].text, o["count"], "", o["points"], o["place"] or "")
        elif question.kind == Question.Kind.SCALE:
            for s in result.scale:
                row(label, kind, s["value"], s["count"], s["percent"], "", "")
            row(
                label,
                kind,
                _("Average"),
                result.average if result.average is not None else "",
                "",
                "",
                "",
            )
    row()
    row(_("Territory"), _("Ballots"))
    for name, n in results.territories:
        row(name, n)
    texts = (
        Answer.objects.filter(question__poll=poll)
        .exclude(text_status="")
        .select_related("question")
        .order_by("question__order", "question_id", "pk")
    )
    row()
    row(_("Question"), _("Free-text answer"), _("Moderation"))
    for answer in texts:
        row(answer.question.text, answer.text, answer.get_text_status_display())
    return response


def results_pdf(poll, results, *, language=None):
    return render_pdf(
        "polls/results_pdf.html",
        {"poll": poll, "results": results, "generated_at": timezone.now()},
        language=language,
    )


def pdf_response(poll, results):
    response = HttpResponse(results_pdf(poll, results), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="poll-{poll.pk}-results.pdf"'
    return response
