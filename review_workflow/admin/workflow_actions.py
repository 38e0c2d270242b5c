"""Wagtail's workflow action views, refusing a task state that is not the object's current one."""

from django.http import Http404
from wagtail.snippets.views import snippets as snippet_views


class CurrentTaskStateMixin:
    """For Wagtail's workflow action views: the task state in the URL must be the current one of
    the object in the URL, else 404. Wagtail loads the task state by its id alone, so without
    this a reviewer of one object could name another object's task state."""

    def get_task_state(self):
        current = self.object.current_workflow_task_state
        if current is None or current.pk != self.task_state_id:
            raise Http404
        return current


class WorkflowActionView(CurrentTaskStateMixin, snippet_views.WorkflowActionView):
    pass


class CollectWorkflowActionDataView(
    CurrentTaskStateMixin, snippet_views.CollectWorkflowActionDataView
):
    pass
