"""Form widgets that render without the template engine, for forms shown on every visit of a
busy page (the work queue's filter): the same markup as Django's own widget templates
(``django/forms/widgets/input.html``, ``select.html``, ``select_option.html``), written by a
few lines of Python instead of an include per field and per option. The classes keep Django's
names, so that a bound field's ``widget_type`` ("select", "checkbox", ...) is the same; import
the module (``from edem.core import widgets as quick``)."""

from django import forms
from django.utils.html import format_html
from django.utils.safestring import mark_safe


def _attrs(attrs):
    """`` name="value"`` for each attribute; True gives the bare name, False leaves it out."""
    parts = []
    for name, value in attrs.items():
        if value is True:
            parts.append(format_html(" {}", name))
        elif value is not False:
            parts.append(format_html(' {}="{}"', name, str(value)))
    return mark_safe("".join(parts))  # noqa: S308 - every part escaped by format_html


class QuickInputMixin:
    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        value = widget["value"]
        shown = format_html(' value="{}"', str(value)) if value is not None else ""
        return format_html(
            '<input type="{}" name="{}"{}{}>', widget["type"], widget["name"], shown,
            _attrs(widget["attrs"]),
        )  # fmt: skip


class TextInput(QuickInputMixin, forms.TextInput):
    pass


class DateInput(QuickInputMixin, forms.DateInput):
    pass


class CheckboxInput(QuickInputMixin, forms.CheckboxInput):
    pass


class Select(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', widget["name"], _attrs(widget["attrs"]))]
        for group_name, group_choices, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('\n  <optgroup label="{}">', group_name))
            for option in group_choices:
                parts.append(
                    format_html(
                        '\n  <option value="{}"{}>{}</option>',
                        str(option["value"]),
                        _attrs(option["attrs"]),
                        option["label"],
                    )
                )
            if group_name:
                parts.append(mark_safe("\n  </optgroup>"))
        parts.append(mark_safe("\n</select>"))
        return mark_safe("".join(parts))  # noqa: S308 - every part escaped by format_html
