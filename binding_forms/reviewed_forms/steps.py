"""A step of a multi-step form: one screen with its form, its template, when it can be reached
and what submitting it does."""

from django.shortcuts import redirect


class Step:
    """One screen of a ``MultiStepFormPage``.

    A step is declared as an object, by subclassing or with keyword arguments::

        steps = [ConsentStep("consent", title="同意書", template="…/consent.html"), …]

    The page serves every step the same way, in the shape of Wagtail's form pages: get the
    form, validate it, ``process`` it, then redirect to the step the submission's state leads
    to, or render the step again with its errors.
    """

    name = ""
    title = ""  # in the progress list; a step without a title is not listed
    template = ""
    form_class = None
    # Whether the step is about an existing submission. A step that is not (choosing the child
    # a new submission is for, say) is served when the page has no submission for the request.
    needs_submission = True
    # Shown once the submission is sent (its status page); before that, never.
    after_submit = False
    # Whether editors preview it (a page mode of its own); a step shown only on the way (a code
    # check, an outcome) may have nothing to show out of context.
    preview = True

    def __init__(self, name=None, **attributes):
        if name is not None:
            self.name = name
        for attribute, value in attributes.items():
            if not hasattr(type(self), attribute):
                raise TypeError(f"{type(self).__name__} has no attribute {attribute!r}")
            setattr(self, attribute, value)
        if not self.name:
            raise TypeError(f"{type(self).__name__} needs a name")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"

    # What the step asks ----------------------------------------------------------------------

    def is_complete(self, submission) -> bool:
        """Whether the step is done, so that the steps after it may be reached."""
        return True

    def is_reachable(self, page, submission) -> bool:
        """Before the submission is sent, a step whose earlier steps are complete; after,
        only the steps shown after sending. Override for steps with their own rule."""
        if not self.needs_submission:
            return submission is None
        if submission is None:
            return False
        if self.after_submit:
            return submission.submitted_at is not None
        if not submission.status.editable:
            return False
        for step in page.get_steps():
            if step is self:
                return True
            if step.needs_submission and not step.after_submit and not step.is_complete(submission):
                return False
        return False

    def get_template(self, page, request) -> str:
        return self.template

    def get_form_kwargs(self, page, request, submission) -> dict:
        return {}

    def get_form(self, page, request, submission):
        """The step's form, bound to the request's data when it was sent; None for a step
        without one (a page of buttons, a status page)."""
        if self.form_class is None:
            return None
        kwargs = self.get_form_kwargs(page, request, submission)
        if request.method == "POST":
            kwargs.update(data=request.POST, files=request.FILES)
        return self.form_class(**kwargs)

    def get_context(self, page, request, submission, form) -> dict:
        return {}

    # What the step does ----------------------------------------------------------------------

    def serve(self, page, request, submission):
        """Form → validate → process → redirect, or the step again with its errors."""
        form = self.get_form(page, request, submission)
        if request.method == "POST" and (form is None or form.is_valid()):
            response = self.process(page, request, submission, form)
            if response is not None:
                return response
            return redirect(page.step_url(request, page.current_step(submission)))
        return self.render(page, request, submission, form=form)

    def process(self, page, request, submission, form):
        """What submitting the step does, through services. Return a response, or None to go
        to the step the submission's state now leads to."""
        return None

    def render(self, page, request, submission, **context):
        form = context.setdefault("form", None)
        context = {**self.get_context(page, request, submission, form), **context}
        return page.render_step(request, self, submission, **context)

    # Previews for editors --------------------------------------------------------------------

    def get_preview_context(self, page, request, submission) -> dict:
        """What the editor's preview of this step shows beside the sample submission."""
        form = (
            self.form_class(**self.get_form_kwargs(page, request, submission))
            if (self.form_class is not None)
            else None
        )
        return {"form": form, **self.get_context(page, request, submission, form)}
