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


class SelectMultiple(forms.SelectMultiple):
    render = Select.render  # the same markup; Django's context adds ``multiple``


class Textarea(forms.Textarea):
    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        return format_html(
            '<textarea name="{}"{}>\n{}</textarea>', widget["name"], _attrs(widget["attrs"]),
            widget["value"] or "",
        )  # fmt: skip


class NumberInput(QuickInputMixin, forms.NumberInput):
    pass


class URLInput(QuickInputMixin, forms.URLInput):
    pass


class HiddenInput(QuickInputMixin, forms.HiddenInput):
    pass


class QuickFormMixin:
    """A form whose ``{{ form }}`` (Django's ``div.html`` with ``field.html``) and field labels
    (``label.html``) are written by Python: the same tags and attributes, without a template
    per field. Errors and widgets render as they do anyway (use the widgets above for those
    drawn on every visit); any other template asked for is rendered by the engine."""

    def render(self, template_name=None, context=None, renderer=None):
        if template_name is None and context is None and self.template_name == DIV_TEMPLATE:
            return self._quick_div()
        if template_name == self.template_name_label and context is not None:
            return _label(context)
        return super().render(template_name, context, renderer)

    __str__ = __html__ = render

    def _quick_div(self):
        context = self.get_context()
        errors, hidden = context["errors"], context["hidden_fields"]
        fields = [bound for bound, _errors in context["fields"]]
        parts = [str(errors) if errors else ""]
        hidden_html = mark_safe("".join(str(bound) for bound in hidden))  # noqa: S308
        if hidden and errors and not fields:
            parts.append(format_html("\n<div>{}</div>", hidden_html))
        for index, bound in enumerate(fields):
            classes = bound.css_classes()
            parts.append(format_html('\n<div class="{}">', classes) if classes else "\n<div>")
            parts.append(_field_group(bound))
            if index == len(fields) - 1:
                parts.append(hidden_html)
            parts.append("\n</div>")
        if not fields and not errors:
            parts.append(hidden_html)
        return mark_safe("".join(str(part) for part in parts))  # noqa: S308 - escaped parts


DIV_TEMPLATE = "django/forms/div.html"


def _label(context):
    """``django/forms/label.html``."""
    if not context["use_tag"]:
        return format_html("{}", context["label"])
    tag = context["tag"]
    return format_html("<{}{}>{}</{}>", tag, _attrs(context["attrs"] or {}), context["label"], tag)


def _field_group(bound):
    """``django/forms/field.html``."""
    parts = []
    if bound.use_fieldset:
        described = bound.aria_describedby
        parts.append(
            format_html('<fieldset aria-describedby="{}">', described)
            if described
            else mark_safe("<fieldset>")
        )
        if bound.label:
            parts.append(bound.legend_tag())
    elif bound.label:
        parts.append(bound.label_tag())
    if bound.help_text:
        help_text = mark_safe(str(bound.help_text))  # noqa: S308 - as |safe in field.html
        parts.append(
            format_html(
                '\n<div class="helptext" id="{}_helptext">{}</div>', bound.auto_id, help_text
            )
            if bound.auto_id
            else format_html('\n<div class="helptext">{}</div>', help_text)
        )
    if bound.errors:
        parts.append(format_html("\n{}", bound.errors))
    parts.append(format_html("\n{}", bound))
    if bound.use_fieldset:
        parts.append(mark_safe("</fieldset>"))
    return mark_safe("".join(str(part) for part in parts))  # noqa: S308 - escaped parts
