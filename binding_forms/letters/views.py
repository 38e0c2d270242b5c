"""The page a binding letter's QR code opens: the student-account sign-in for that child."""

from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from binding_forms.accounts.forms import StudentSignInForm
from binding_forms.accounts.views import sign_in_complete
from binding_forms.letters.services import letter_for_code, letter_last_day, letter_use
from binding_forms.models import BindingLetter


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def letter_signin(request, code: str):
    """The school and the account come from the letter, never from the request: the parent
    types only the child's password and the captcha. The letter is used up by the sign-in it
    leads to; one that no longer works says why and leads to the ordinary sign-in."""
    letter = letter_for_code(code)
    if letter is None or letter.state != BindingLetter.State.OPEN:
        return TemplateResponse(
            request,
            "binding_forms/letter_unusable.html",
            {
                "letter": letter,
                "state": letter.state if letter else None,
                "last_day": letter_last_day(letter) if letter else None,
                "states": BindingLetter.State,
            },
            status=404 if letter is None else 410,
        )
    student = letter.student
    form_kwargs = {"request": request, "district": student.school.district}
    if request.method == "POST" and "captcha_refresh" not in request.POST:
        data = request.POST.copy()
        data["school"] = str(student.school_id)
        data["account"] = student.account
        form = StudentSignInForm(data, **form_kwargs)
        if form.is_valid():
            letter_use(letter=letter, user=form.user)
            return sign_in_complete(request, form.user)
    else:
        form = StudentSignInForm(**form_kwargs)
    return TemplateResponse(
        request,
        "binding_forms/letter_signin.html",
        {"form": form, "letter": letter, "student": student, "last_day": letter_last_day(letter)},
    )
