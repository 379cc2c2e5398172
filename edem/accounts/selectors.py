"""Reads about people, for officials' screens."""

from django.db.models import Q, Value
from django.db.models.functions import Concat

from .models import User

MIN_QUERY = 3


def find_people(query):
    """Active accounts whose e-mail or name contains ``query`` (at least three characters, so
    that the list is a search, not a directory), by surname."""
    query = " ".join((query or "").split())
    if len(query) < MIN_QUERY:
        return User.objects.none()
    full = Concat("last_name", Value(" "), "first_name", Value(" "), "patronymic")
    match = Q(email__icontains=query) | Q(full_name_search__icontains=query)
    for word in query.split():
        match |= Q(last_name__iexact=word)
    return (
        User.objects.filter(is_active=True)
        .annotate(full_name_search=full)
        .filter(match)
        .select_related("territory")
        .order_by("last_name", "first_name", "email", "pk")
    )
