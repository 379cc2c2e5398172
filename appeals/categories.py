"""The category tree as people choose from it: top-level categories are the groups
(``<optgroup>``) of their sub-categories, in the administrator's order; a top-level category
without sub-categories is a choice of its own. Filters may also choose a whole group."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import Category


def _tree(categories):
    """{parent id (None: top level): [children in order]} of ``categories``."""
    children = {}
    for category in sorted(categories, key=lambda c: (c.order, c.name.casefold())):
        children.setdefault(category.parent_id, []).append(category)
    return children


def _descendants(children, category, prefix=""):
    for child in children.get(category.pk, []):
        yield child, prefix + child.name
        yield from _descendants(children, child, prefix + child.name + " / ")


def grouped_choices(categories, *, whole_groups=False, group_label=None):
    """Choices for a ``<select>``: [(pk, name)] for a top-level category without
    sub-categories, [(group name, [(pk, name), ...])] for one with them (deeper levels named
    "sub / subsub" inside the group). With ``whole_groups`` each group starts with the
    top-level category itself, labelled by ``group_label`` (a format with ``%(group)s``)."""
    categories = list(categories)
    known = {c.pk for c in categories}
    children = _tree(categories)
    roots = [c for c in categories if c.parent_id is None or c.parent_id not in known]
    choices = []
    for root in sorted(roots, key=lambda c: (c.order, c.name.casefold())):
        members = [(c.pk, name) for c, name in _descendants(children, root)]
        if not members:
            choices.append((root.pk, root.name))
            continue
        if whole_groups:
            label = (group_label or _("All of “%(group)s”")) % {"group": root.name}
            members.insert(0, (root.pk, label))
        choices.append((root.name, members))
    return choices


def category_ids(pk):
    """The ids of category ``pk`` and of all categories below it (a filter by a group)."""
    parents = dict(Category.objects.values_list("pk", "parent_id"))
    ids, frontier = {pk}, {pk}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - ids
        ids |= frontier
    return sorted(ids)


class GroupedCategoryIterator(ModelChoiceIterator):
    """The field's choices, read from the database only when the form is shown."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from grouped_choices(self.queryset, whole_groups=self.field.whole_groups)

    def __len__(self):
        return sum(1 for _choice in self)

    def __bool__(self):
        return self.field.empty_label is not None or self.queryset.exists()


class CategoryChoiceField(forms.ModelChoiceField):
    """A category ``<select>`` grouped by top-level category (``grouped_choices``).

    For filing (the default) only a category without sub-categories may be chosen: a group's
    own category is refused with a word on why. Filters (``whole_groups=True``) may choose a
    whole group."""

    def __init__(self, queryset=None, *, whole_groups=False, **kwargs):
        self.whole_groups = whole_groups
        kwargs.setdefault("label", pgettext_lazy("appeal category", "Category"))
        super().__init__(
            queryset if queryset is not None else Category.objects.all(),
            **kwargs,
        )

    iterator = GroupedCategoryIterator

    def clean(self, value):
        category = super().clean(value)
        if (
            category is not None
            and not self.whole_groups
            and self.queryset.filter(parent=category).exists()
        ):
            raise ValidationError(
                _("“%(group)s” is a group: choose one of the categories in it.")
                % {"group": category.name},
                code="group",
            )
        return category
