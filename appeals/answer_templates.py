"""Reads for answer templates (kept apart from the work-queue selectors)."""

from django.db.models import F, Q

from .models import AnswerTemplate


def templates_for(appeal):
    """Active templates that fit the appeal: its category (or its parent) or none, its cabinet
    or none; the most specific first."""
    categories = [c for c in (appeal.category_id, getattr(appeal.category, "parent_id", None)) if c]
    return (
        AnswerTemplate.objects.filter(is_active=True)
        .filter(Q(category__isnull=True) | Q(category_id__in=categories))
        .filter(Q(cabinet__isnull=True) | Q(cabinet_id=appeal.cabinet_id))
        .order_by(F("category").desc(nulls_last=True), F("cabinet").desc(nulls_last=True), "title")
    )
