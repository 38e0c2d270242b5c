"""The applicants step's fields, written straight from the bound fields.

Django's form renderer (``TemplatesSetting``) renders each widget through three to nine template
includes, and ``includes/field.html`` adds one more a field: for the step's eleven fields that was
a third of the request. These tags write the markup of ``includes/field.html`` and
``includes/choice_field.html`` with Django's widget templates, for the widgets the wizard uses
(inputs, selects, radio buttons); any other widget falls back to Django's own rendering.

The attributes still come from Django (``BoundField.build_widget_attrs``, the widget's
``get_context``: ``required``, ``aria-invalid``, ``maxlength``, ``autocomplete``, ``inputmode``, the
kept value), so only the writing of the HTML is ours. ``tests/binding_forms/test_wizard_fields.py``
compares the output with the includes', empty, filled and with errors.
"""

from html import escape

from django import template
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe

from home.templatetags.form_fields import field_widget

register = template.Library()

INPUT_TEMPLATES = {
    f"django/forms/widgets/{name}.html"
    for name in ("input", "text", "email", "tel", "number", "url", "password", "search")
}
OPTION_TEMPLATES = {
    "django/forms/widgets/radio_option.html",
    "django/forms/widgets/input_option.html",
}


def conditional_escape(text) -> str:
    """django.utils.html.conditional_escape without its lazy wrapper (called a few hundred times
    a page): safe strings as they are, anything else escaped as Django escapes it."""
    if isinstance(text, Promise):
        text = str(text)
    if hasattr(text, "__html__"):
        return text.__html__()
    return escape(str(text))


def _attrs(attrs: dict) -> str:
    """``django/forms/widgets/attrs.html``: False left out, True as a bare name."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {conditional_escape(name)}")
        else:
            parts.append(f' {conditional_escape(name)}="{conditional_escape(str(value))}"')
    return "".join(parts)


def _input(widget: dict) -> str:
    value = widget["value"]
    shown = "" if value is None else f' value="{conditional_escape(str(value))}"'
    return (
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{shown}{_attrs(widget["attrs"])}>'
    )


def _select(widget: dict) -> str:
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in options:
            parts.append(
                f'\n  <option value="{conditional_escape(str(option["value"]))}"'
                f"{_attrs(option['attrs'])}>{conditional_escape(option['label'])}</option>"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _option(option: dict) -> str:
    if not option["wrap_label"]:
        return _input(option)
    target = option["attrs"].get("id")
    label_for = f' for="{conditional_escape(target)}"' if target else ""
    # An editor's choice in another language than the labels (forms.EditorsOptionsMixin): its
    # text is the label's, so the label says so.
    lang = option["attrs"].get("lang")
    label_lang = f' lang="{conditional_escape(lang)}"' if lang else ""
    return (
        f"<label{label_for}{label_lang}>{_input(option)} "
        f"{conditional_escape(option['label'])}</label>"
    )


def _choices(widget: dict) -> str | None:
    """``django/forms/widgets/multiple_input.html`` (radio buttons, checkboxes)."""
    parts = []
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f"\n  <div><label>{conditional_escape(group_name)}</label>")
        for option in options:
            if option["template_name"] not in OPTION_TEMPLATES:
                return None
            parts.append(f"<div>\n    {_option(option)}</div>")
        if group_name:
            parts.append("\n  </div>")
    attrs = widget["attrs"]
    opening = "<div"
    if attrs.get("id"):
        opening += f' id="{conditional_escape(attrs["id"])}"'
    if attrs.get("class"):
        opening += f' class="{conditional_escape(attrs["class"])}"'
    return f"{opening}>{''.join(parts)}\n</div>"


def _widget(field) -> SafeString:
    """What ``{% field_widget field %}`` renders, without the template engine."""
    widget = field.field.widget
    attrs = {}
    if field.help_text:
        attrs["aria-describedby"] = f"{field.auto_id}-help"
    if field.errors:
        described = f"{attrs.get('aria-describedby', '')} {field.auto_id}-error".strip()
        attrs["aria-describedby"] = described
        attrs["aria-invalid"] = "true"
    attrs = field.build_widget_attrs(attrs, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    context = widget.get_context(field.html_name, field.value(), attrs)["widget"]
    name = context["template_name"]
    html = None
    if name in INPUT_TEMPLATES:
        html = _input(context)
    elif name == "django/forms/widgets/select.html":
        html = _select(context)
    elif name in ("django/forms/widgets/radio.html", "django/forms/widgets/checkbox_select.html"):
        html = _choices(context)
    if html is None:  # a widget this module does not write: Django's templates
        return field_widget(field)
    return mark_safe(html)  # noqa: S308 (every value above is escaped)


def _errors(field) -> str:
    errors = " ".join(conditional_escape(error) for error in field.errors)
    return f'<p class="field-error" id="{conditional_escape(field.auto_id)}-error">{errors}</p>'


def _required(field) -> str:
    return '<span class="required" aria-hidden="true"> *</span>' if field.field.required else ""


@register.simple_tag
def plain_field(field) -> SafeString:
    """``{% include "includes/field.html" %}``, written directly."""
    errors = field.errors
    help_text = (
        f'<p class="field-help" id="{conditional_escape(field.auto_id)}-help">'
        f"{conditional_escape(field.help_text)}</p>"
        if field.help_text
        else ""
    )
    html = (
        f'<div class="field{" field-has-error" if errors else ""}">\n'
        f'    <label for="{conditional_escape(field.id_for_label)}">'
        f"{conditional_escape(field.label)}{_required(field)}</label>\n"
        f"    {help_text}\n"
        f"    {_widget(field)}\n"
        f"    {_errors(field) if errors else ''}\n"
        "</div>"
    )
    return mark_safe(html)  # noqa: S308 (every value above is escaped)


@register.simple_tag
def plain_choice_field(field) -> SafeString:
    """``{% include "includes/choice_field.html" %}``, written directly."""
    errors = field.errors
    described = f' aria-describedby="{conditional_escape(field.auto_id)}-error"' if errors else ""
    html = (
        f'<fieldset class="field choice-field{" field-has-error" if errors else ""}"{described}>\n'
        f"    <legend>{conditional_escape(field.label)}{_required(field)}</legend>\n"
        f"    {_errors(field) if errors else ''}\n"
        f"    {_widget(field)}\n"
        "</fieldset>"
    )
    return mark_safe(html)  # noqa: S308 (every value above is escaped)
