"""The text of the portal's notification mail: the kinds, the placeholders each may use, the
handbook's default wording, and how an editor's template is checked and rendered.

Pure functions over strings, no models: the data migration that creates the default templates
imports this module too.

Templates are Django template language compiled by a private engine with no template loaders
and no libraries to ``{% load %}``; only text, ``{{ placeholders }}`` (with the filters in
ALLOWED_FILTERS) and ``{% if %}`` are accepted, and every value in the context is a plain string.
Mail is plain text, so nothing is HTML-escaped when it is rendered, and what is rendered is a plain
``str``: a page that shows it escapes it.
"""

from django.db import models
from django.template import Context, Engine, TemplateSyntaxError
from django.template.base import (
    FilterExpression,
    TextNode,
    Variable,
    VariableDoesNotExist,
    VariableNode,
)
from django.template.defaulttags import IfNode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from binding_forms.identity.personal_data import mask_id_numbers


class MailKind(models.TextChoices):
    SUBMITTED = "submitted", _("application received")
    APPROVED = "approved", _("approved: new parent account")
    APPROVED_EXISTING = "approved_existing", _("approved: existing parent account")
    CHANGES_REQUESTED = "changes_requested", _("changes requested")
    UNBOUND = "unbound", _("parent–child link revoked")
    LEFT_SCHOOL = "left_school", _("link ended: the student left school")
    FORM_SENT = "form_sent", _("form received")
    FORM_APPROVED = "form_approved", _("form approved")
    FORM_CHANGES_REQUESTED = "form_changes_requested", _("form: changes requested")


_COMMON = ("applicant_name", "student_name", "school_name", "site_url")
PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    MailKind.SUBMITTED: (*_COMMON, "status_url"),
    MailKind.APPROVED: (*_COMMON, "sign_in_name", "sign_in_url"),
    MailKind.APPROVED_EXISTING: (*_COMMON, "sign_in_name", "sign_in_url"),
    MailKind.CHANGES_REQUESTED: (*_COMMON, "comment", "status_url"),
    MailKind.UNBOUND: (*_COMMON, "reason"),
    MailKind.LEFT_SCHOOL: _COMMON,
    # The forms editors build (線上請假…): applicant_name is the parent who sent it.
    MailKind.FORM_SENT: (*_COMMON, "form_title", "status_url"),
    MailKind.FORM_APPROVED: (*_COMMON, "form_title", "comment", "status_url"),
    MailKind.FORM_CHANGES_REQUESTED: (*_COMMON, "form_title", "comment", "status_url"),
}

_SIGNATURE = "本信由系統自動發送，請勿直接回覆；如有疑問，請洽學校註冊組。\n臺北市政府教育局\n"

_FORM_SIGNATURE = "本信由系統自動發送，請勿直接回覆；如有疑問，請洽學校。\n臺北市政府教育局\n"

# The handbook's wording (國小校務行政系統 親子帳號綁定操作指引, 校方審核). Never an ID number or a
# password: the approval mail states the rule (身分證統一編號末六碼), as the handbook does.
DEFAULTS: dict[str, tuple[str, str]] = {
    MailKind.SUBMITTED: (
        "臺北市親子帳號綁定：已收到{{ student_name }}的申請",
        "{{ applicant_name }} 您好：\n\n"
        "我們已收到您為 {{ student_name }}（{{ school_name }}）提出的親子帳號綁定申請，"
        "學校註冊組將依學籍資料審核，審核結果會以電子郵件通知您。\n\n"
        "查詢申請進度：{{ status_url }}\n\n" + _SIGNATURE,
    ),
    MailKind.APPROVED: (
        "臺北市親子帳號綁定：{{ student_name }}的親子帳號已開通",
        "{{ applicant_name }} 您好：\n\n"
        "{{ school_name }}已核准您為 {{ student_name }} 申請的親子帳號，帳號已開通。\n\n"
        "帳號：{{ sign_in_name }}（即申請時填寫的電子郵件）\n"
        "預設密碼：申請人身分證統一編號末六碼\n\n"
        "首次登入時，系統會要求您變更密碼；預設密碼只能使用一次，並有使用期限。\n\n"
        "登入：{{ sign_in_url }}\n\n"
        "登入後即可透過臺北市單一身分驗證服務使用各項服務，例如臺北市校園繳費系統、臺北酷課雲。\n\n"
        + _SIGNATURE,
    ),
    MailKind.APPROVED_EXISTING: (
        "臺北市親子帳號綁定：{{ student_name }}已加入您的家長帳號",
        "{{ applicant_name }} 您好：\n\n"
        "{{ school_name }}已核准您為 {{ student_name }} 提出的親子帳號綁定申請，"
        "{{ student_name }} 已加入您原本的家長帳號。\n\n"
        "帳號：{{ sign_in_name }}\n"
        "請以您原本的密碼登入；若忘記密碼，請在登入頁面選擇「忘記密碼」。\n\n"
        "登入：{{ sign_in_url }}\n\n" + _SIGNATURE,
    ),
    MailKind.CHANGES_REQUESTED: (
        "臺北市親子帳號綁定：學校要求修改{{ student_name }}的申請",
        "{{ applicant_name }} 您好：\n\n"
        "{{ school_name }}註冊組審核您為 {{ student_name }} 提出的親子帳號綁定申請後，"
        "請您修改申請資料：\n\n{{ comment }}\n\n"
        "請登入後修改並重新送出：{{ status_url }}\n\n" + _SIGNATURE,
    ),
    MailKind.UNBOUND: (
        "臺北市親子帳號綁定：您與{{ student_name }}的綁定已解除",
        "{{ applicant_name }} 您好：\n\n"
        "{{ school_name }}已解除您的家長帳號與 {{ student_name }} 的親子帳號綁定。\n\n"
        "原因：{{ reason }}\n\n"
        "您的家長帳號仍可使用，與其他子女的綁定不受影響。\n\n" + _SIGNATURE,
    ),
    # Sent by the retention job (PDPA Art. 11) when the registry says the child left the school.
    MailKind.LEFT_SCHOOL: (
        "臺北市親子帳號綁定：您與{{ student_name }}的綁定已結束",
        "{{ applicant_name }} 您好：\n\n"
        "學籍資料顯示 {{ student_name }} 已離開{{ school_name }}，"
        "依個人資料保護法，個人資料僅於特定目的存續期間保存，"
        "您的家長帳號與 {{ student_name }} 的親子帳號綁定因此結束。\n\n"
        "若 {{ student_name }} 轉入臺北市其他學校，請以新學校的學生帳號重新申請綁定："
        "{{ site_url }}\n\n"
        "您與其他子女的綁定不受影響；若您的家長帳號已沒有綁定中的子女，"
        "帳號將於保存期限屆滿後刪除。\n\n" + _SIGNATURE,
    ),
    MailKind.FORM_SENT: (
        "{{ form_title }}：已收到{{ student_name }}的表單",
        "{{ applicant_name }} 您好：\n\n"
        "我們已收到您為 {{ student_name }}（{{ school_name }}）填寫的「{{ form_title }}」，"
        "學校審核後會以電子郵件通知您。\n\n"
        "查詢進度：{{ status_url }}\n\n" + _FORM_SIGNATURE,
    ),
    MailKind.FORM_APPROVED: (
        "{{ form_title }}：{{ student_name }}的表單已核准",
        "{{ applicant_name }} 您好：\n\n"
        "{{ school_name }}已核准您為 {{ student_name }} 填寫的「{{ form_title }}」。\n\n"
        "{% if comment %}學校的說明：{{ comment }}\n\n{% endif %}"
        "查看內容：{{ status_url }}\n\n" + _FORM_SIGNATURE,
    ),
    MailKind.FORM_CHANGES_REQUESTED: (
        "{{ form_title }}：學校要求修改{{ student_name }}的表單",
        "{{ applicant_name }} 您好：\n\n"
        "{{ school_name }}審核您為 {{ student_name }} 填寫的「{{ form_title }}」後，"
        "請您修改：\n\n{{ comment }}\n\n"
        "請登入後修改並重新送出：{{ status_url }}\n\n" + _FORM_SIGNATURE,
    ),
}

# Sample values for the admin's preview.
SAMPLE_CONTEXT = {
    "applicant_name": "陳大名",
    "student_name": "陳小花",
    "school_name": "臺北市立松山國民小學",
    "site_url": "https://eschool.example.tw/",
    "status_url": "https://eschool.example.tw/binding/done/",
    "sign_in_name": "alle@schoolsoft.com.tw",
    "sign_in_url": "https://eschool.example.tw/signin/?tab=parent",
    "comment": "第二位申請人的手機號碼有誤，請更正。",
    "reason": "監護權變更。",
    "form_title": "線上請假",
}

# No loaders (no {% include %} or {% extends %} of files), no loadable libraries.
_ENGINE = Engine(loaders=[], libraries={}, autoescape=False)

# The filters an editor may use: each takes a string, gives a string no longer than its input and
# its argument, and cannot fail. Anything else (``center:"999999999"``, ``wordwrap:0``, ``random``
# on an empty value…) is refused when the template is saved.
ALLOWED_FILTERS = (
    "default",
    "upper",
    "lower",
    "title",
    "capfirst",
    "cut",
    "truncatechars",
    "truncatewords",
    "first",
    "last",
    "slice",
    "yesno",
)
# A compiled template holds each filter's function, not its name.
_FILTER_NAMES = {
    function: name
    for library in _ENGINE.template_builtins
    for name, function in library.filters.items()
}


class MailTemplateError(ValueError):
    """An editor's template does not compile, uses something it may not, or cannot be filled
    in."""


def _condition_expressions(condition):
    """The FilterExpressions an ``{% if %}`` condition reads (the leaves of its parse tree)."""
    if condition is None:
        return
    value = getattr(condition, "value", None)
    if isinstance(value, FilterExpression):
        yield value
    for side in ("first", "second"):
        yield from _condition_expressions(getattr(condition, side, None))


def _expressions(nodelist):
    """Every FilterExpression in the template; MailTemplateError for any tag but ``{% if %}``."""
    for node in nodelist:
        if isinstance(node, TextNode):
            continue
        if isinstance(node, VariableNode):
            yield node.filter_expression
        elif isinstance(node, IfNode):
            for condition, branch in node.conditions_nodelists:
                yield from _condition_expressions(condition)
                yield from _expressions(branch)
        else:
            raise MailTemplateError(
                gettext(
                    "Only placeholders such as {{ student_name }} and if-conditions may be used."
                )
            )


def _names_used(expression: FilterExpression) -> set[str]:
    """The placeholders an expression reads, its filters' arguments included; MailTemplateError
    for a filter not in ALLOWED_FILTERS or an attribute lookup (``{{ school_name.upper }}``)."""
    variables = [expression.var]
    for function, arguments in expression.filters:
        if (name := _FILTER_NAMES.get(function)) not in ALLOWED_FILTERS:
            raise MailTemplateError(
                gettext("The filter “%(filter)s” may not be used. These may: %(allowed)s.")
                % {"filter": name, "allowed": "、".join(ALLOWED_FILTERS)}
            )
        variables.extend(argument for is_lookup, argument in arguments if is_lookup)
    names = set()
    for variable in variables:
        if not isinstance(variable, Variable) or not variable.lookups:
            continue  # a literal: "text", 3
        if len(variable.lookups) > 1:
            raise MailTemplateError(
                gettext("Write a placeholder alone, without a dot: %(placeholder)s.")
                % {"placeholder": f"{{{{ {variable.var} }}}}"}
            )
        names.add(variable.lookups[0])
    return names


def template_check(*, kind: str, source: str) -> None:
    """Raise MailTemplateError (with a message for the editor) unless ``source`` compiles, uses
    only the placeholders of ``kind`` (filter and if-condition arguments included) and the allowed
    filters, and renders both with the sample values and with every placeholder empty."""
    try:
        template = _ENGINE.from_string(source)
    except TemplateSyntaxError as error:
        raise MailTemplateError(
            gettext("The template cannot be read: %(error)s") % {"error": error}
        ) from error
    allowed = PLACEHOLDERS[kind]
    names: set[str] = set()
    for expression in _expressions(template.nodelist):
        names |= _names_used(expression)
    if unknown := sorted(names - set(allowed)):
        raise MailTemplateError(
            gettext("Unknown placeholder: %(unknown)s. This mail may use: %(allowed)s.")
            % {
                "unknown": "、".join(f"{{{{ {name} }}}}" for name in unknown),
                "allowed": "、".join(f"{{{{ {name} }}}}" for name in allowed),
            }
        )
    for context in (SAMPLE_CONTEXT, {}):
        try:
            _render(template, kind=kind, context=context)
        except Exception as error:  # whatever an editor's template raises, the editor is told
            raise MailTemplateError(
                gettext("The template cannot be filled in: %(error)s")
                % {"error": render_error_text(error)}
            ) from error


def render_error_text(error: Exception) -> str:
    """What went wrong in rendering, short and without the context's values (Django's
    VariableDoesNotExist prints the whole context: names and addresses)."""
    if isinstance(error, VariableDoesNotExist):
        return f"{type(error).__name__}: {error.params[0]}"
    return f"{type(error).__name__}: {error}"[:500]


def _render(template, *, kind: str, context: dict[str, str]) -> str:
    values = {name: mask_id_numbers(str(context.get(name) or "")) for name in PLACEHOLDERS[kind]}
    rendered = template.render(Context(values, autoescape=False))
    # Django marks what a template renders as safe HTML. Mail is text: give back a plain str, so
    # that a page showing it (the admin's preview) escapes it like any other text.
    return str.__str__(rendered)


def template_render(*, kind: str, source: str, context: dict[str, str]) -> str:
    """Render an editor's template with exactly the placeholders of ``kind`` (missing ones are
    empty), every value a plain string with ID numbers masked; the result is text, not HTML.

    Raises whatever the template raises: a template put in the database without
    ``template_check`` may fail; ``review_workflow.mail.outbox.mail_render`` falls back to
    DEFAULTS."""
    return _render(_ENGINE.from_string(source), kind=kind, context=context)
