"""The abstract multi-step form page: steps are objects, and ``serve`` keeps the shape of
Wagtail's form pages (get the form, validate, process, render)."""

from collections.abc import Sequence

from django.contrib.auth import REDIRECT_FIELD_NAME
from django.db import connection, transaction
from django.db.models.expressions import RawSQL
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from wagtail.models import Page, PageViewRestriction
from wagtail.url_routing import RouteResult

from binding_forms.reviewed_forms.steps import Step


class MultiStepFormPage(Page):
    """A form filled in over several screens, each one a ``Step`` at ``<page url><step name>/``.

    A concrete page lists its ``steps`` (or computes them in ``get_steps``, e.g. from fields an
    editor defined) and says which submission a request is about (``get_submission``). The
    page URL itself leads to the step the submission's state allows; a step that is not
    reachable yet (a crafted URL, a stale tab) redirects there too. Every response carries
    personal data and a CSRF token: never cached.
    """

    steps: Sequence[Step] = ()
    # Whether a signed-out visitor is sent to sign in first (a form about someone's child).
    login_required = True

    class Meta:
        abstract = True

    # The steps ---------------------------------------------------------------------------

    def get_steps(self) -> Sequence[Step]:
        return self.steps

    def get_step(self, name: str) -> Step | None:
        return next((step for step in self.get_steps() if step.name == name), None)

    def current_step(self, submission) -> Step:
        """Where the submission's state leads: the first reachable step not yet complete, or
        the last reachable one (the status page of a sent submission)."""
        reachable = [step for step in self.get_steps() if step.is_reachable(self, submission)]
        if not reachable:
            raise LookupError(f"{type(self).__name__} has no step for this submission")
        return next((step for step in reachable if not step.is_complete(submission)), reachable[-1])

    def step_url(self, request, step: Step | str) -> str:
        name = step if isinstance(step, str) else step.name
        return f"{self.get_url(request)}{name}/"

    def progress(self, submission, current: Step | None) -> list[dict]:
        """The titled steps, with whether each is done and which one is shown."""
        return [
            {
                "step": step,
                "current": step is current,
                "done": submission is not None
                and step.needs_submission
                and (submission.submitted_at is not None or step.is_complete(submission)),
            }
            for step in self.get_steps()
            if step.title
        ]

    # The submission ----------------------------------------------------------------------

    def get_submission(self, request, *, for_update: bool = False):
        """The submission this request is about (created on a first visit where that makes
        sense), or None. With ``for_update`` the caller is inside a transaction and the row is
        locked until it ends: a repeated request waits, then sees what the first one left."""
        raise NotImplementedError

    # Privacy -----------------------------------------------------------------------------

    def get_view_restrictions(self):
        """Wagtail's rule in one query instead of Wagtail's two (the ancestors, then their
        restrictions), which Wagtail checks before every step: the restrictions of this page and
        its ancestors, where an alias answers with its source page's (following a chain of
        aliases to the original), never its own."""
        paths = [self.path[:end] for end in range(self.steplen, len(self.path) + 1, self.steplen)]
        pages = connection.ops.quote_name(Page._meta.db_table)
        # Tree paths as parameters, the table name quoted: nothing comes from a request.
        sources = RawSQL(  # noqa: S611
            f"WITH RECURSIVE chain (id, alias_of_id) AS ("  # noqa: S608
            f" SELECT id, alias_of_id FROM {pages} WHERE path IN ({', '.join(['%s'] * len(paths))})"
            f" UNION SELECT page.id, page.alias_of_id FROM {pages} page"
            f" JOIN chain ON page.id = chain.alias_of_id"
            f") SELECT id FROM chain WHERE alias_of_id IS NULL",
            paths,
        )
        return PageViewRestriction.objects.filter(page_id__in=sources)

    # Serving -----------------------------------------------------------------------------

    def route(self, request, path_components):
        if len(path_components) == 1 and self.live and self.get_step(path_components[0]):
            return RouteResult(self, kwargs={"step": path_components[0]})
        return super().route(request, path_components)

    def serve(self, request, *args, step: str | None = None, **kwargs):
        request.is_preview = False
        response = self.serve_step(request, step)
        add_never_cache_headers(response)
        return response

    def serve_step(self, request, name: str | None):
        if self.login_required and not request.user.is_authenticated:
            # Not at import: auth's views import its forms, which need the user model, which may
            # live beside a concrete page in the same models module.
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(
                request.get_full_path(), redirect_field_name=REDIRECT_FIELD_NAME
            )
        if request.method != "POST":
            return self._serve_step(request, name, self.get_submission(request))
        with transaction.atomic():  # a double click waits here for the request before it
            return self._serve_step(request, name, self.get_submission(request, for_update=True))

    def _serve_step(self, request, name, submission):
        step = self.get_step(name) if name else None
        if step is None or not step.is_reachable(self, submission):
            return redirect(self.step_url(request, self.current_step(submission)))
        return step.serve(self, request, submission)

    def render_step(self, request, step: Step, submission, **context):
        return TemplateResponse(
            request,
            step.get_template(self, request),
            self.get_context(request, step=step, submission=submission, **context),
        )

    def get_context(self, request, *args, step: Step | None = None, submission=None, **kwargs):
        context = super().get_context(request, *args)
        status = submission.status if submission is not None and submission.pk else None
        context.update(
            step=step,
            submission=submission,
            status=status,
            progress=self.progress(submission, step),
        )
        context.update(kwargs)  # a step's own values win (a preview's sample status)
        return context

    # Previews for editors ----------------------------------------------------------------

    @property
    def preview_modes(self):
        return [
            (step.name, step.title or step.name)
            for step in self.get_steps()
            if step.template and step.preview
        ]

    @property
    def default_preview_mode(self):
        return self.preview_modes[0][0]

    def get_preview_submission(self, request, step: Step):
        """A sample submission, never saved, that shows ``step`` as a parent would see it."""
        raise NotImplementedError

    def serve_preview(self, request, mode_name):
        step = self.get_step(mode_name) or self.get_steps()[0]
        submission = self.get_preview_submission(request, step)
        context = step.get_preview_context(self, request, submission)
        return self.render_step(request, step, submission, preview=True, **context)
