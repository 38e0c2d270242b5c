"""The text of the portal's notification mail: the kinds, the placeholders each may use, the
handbook's default wording, and how an editor's template is checked and rendered.

Pure functions over strings, no models: the data migration that creates the default templates
imports this module too.

Templates are Django template language compiled by a private engine with no template loaders
and no libraries to ``{% load %}``; only text, ``{{ placeholders }}`` (with filters) and
``{% if %}`` are accepted, and every value in the context is a plain string. Mail is plain text,
so nothing is HTML-escaped.
"""

from django.db import models
from django.template import Context, Engine, TemplateSyntaxError
from django.template.base import FilterExpression, TextNode, Variable, VariableNode
from django.template.defaulttags import IfNode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from binding_forms.personal_data import mask_id_numbers


class MailKind(models.TextChoices):
    SUBMITTED = "submitted", _("application received")
    APPROVED = "approved", _("approved: new parent account")
    APPROVED_EXISTING = "approved_existing", _("approved: existing parent account")
    CHANGES_REQUESTED = "changes_requested", _("changes requested")
    UNBOUND = "unbound", _("parent–child link revoked")


_COMMON = ("applicant_name", "student_name", "school_name", "site_url")
PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    MailKind.SUBMITTED: (*_COMMON, "status_url"),
    MailKind.APPROVED: (*_COMMON, "sign_in_name", "sign_in_url"),
    MailKind.APPROVED_EXISTING: (*_COMMON, "sign_in_name", "sign_in_url"),
    MailKind.CHANGES_REQUESTED: (*_COMMON, "comment", "status_url"),
    MailKind.UNBOUND: (*_COMMON, "reason"),
}

_SIGNATURE = "本信由系統自動發送，請勿直接回覆；如有疑問，請洽學校註冊組。\n臺北市政府教育局\n"

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
        "{{ school_name }}已審核通過您為 {{ student_name }} 申請的親子帳號，帳號已開通。\n\n"
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
        "{{ school_name }}已審核通過您為 {{ student_name }} 提出的親子帳號綁定申請，"
        "{{ student_name }} 已加入您原本的家長帳號。\n\n"
        "帳號：{{ sign_in_name }}\n"
        "請以您原本的密碼登入；若忘記密碼，請在登入頁面選擇「忘記密碼」。\n\n"
        "登入：{{ sign_in_url }}\n\n" + _SIGNATURE,
    ),
    MailKind.CHANGES_REQUESTED: (
        "臺北市親子帳號綁定：{{ student_name }}的申請需要修改",
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
}

# No loaders (no {% include %} or {% extends %} of files), no loadable libraries.
_ENGINE = Engine(loaders=[], libraries={}, autoescape=False)


class MailTemplateError(ValueError):
    """An editor's template does not compile or uses something it may not."""


def _condition_variables(condition):
    """The variables an ``{% if %}`` condition reads (its parse tree holds FilterExpressions)."""
    if condition is None:
        return
    value = getattr(condition, "value", None)
    if isinstance(value, FilterExpression):
        yield value.var
    for side in ("first", "second"):
        yield from _condition_variables(getattr(condition, side, None))


def _names_used(nodelist) -> set[str]:
    names = set()
    for node in nodelist:
        if isinstance(node, TextNode):
            continue
        if isinstance(node, VariableNode):
            variables = [node.filter_expression.var]
        elif isinstance(node, IfNode):
            variables = []
            for condition, branch in node.conditions_nodelists:
                variables.extend(_condition_variables(condition))
                names |= _names_used(branch)
        else:
            raise MailTemplateError(
                gettext(
                    "Only placeholders such as {{ student_name }} and if-conditions may be used."
                )
            )
        for variable in variables:
            if isinstance(variable, Variable) and variable.lookups:
                names.add(variable.lookups[0])
    return names


def template_check(*, kind: str, source: str) -> None:
    """Raise MailTemplateError (with a message for the editor) unless ``source`` compiles and
    uses only the placeholders of ``kind``."""
    try:
        template = _ENGINE.from_string(source)
    except TemplateSyntaxError as error:
        raise MailTemplateError(
            gettext("The template cannot be read: %(error)s") % {"error": error}
        ) from error
    allowed = PLACEHOLDERS[kind]
    if unknown := sorted(_names_used(template.nodelist) - set(allowed)):
        raise MailTemplateError(
            gettext("Unknown placeholder: %(unknown)s. This mail may use: %(allowed)s.")
            % {
                "unknown": "、".join(f"{{{{ {name} }}}}" for name in unknown),
                "allowed": "、".join(f"{{{{ {name} }}}}" for name in allowed),
            }
        )


def template_render(*, kind: str, source: str, context: dict[str, str]) -> str:
    """Render an editor's template with exactly the placeholders of ``kind`` (missing ones are
    empty), every value a plain string with ID numbers masked."""
    values = {name: mask_id_numbers(str(context.get(name) or "")) for name in PLACEHOLDERS[kind]}
    return _ENGINE.from_string(source).render(Context(values, autoescape=False))
