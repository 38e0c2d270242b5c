"""The chooser of applications and form submissions (used by choosers in other forms): the same
scope as the listing."""

from wagtail.snippets.views import chooser as snippet_chooser

from review_workflow.admin.scoping import scoped_objects

# The snippet chooser (used by choosers in other forms): the same scope as the listing.


class ScopedChooseMixin:
    def get_object_list(self):
        return scoped_objects(self.model_class, self.request.user).select_related("student__school")


class ApplicationChooseView(ScopedChooseMixin, snippet_chooser.ChooseView):
    pass


class ApplicationChooseResultsView(ScopedChooseMixin, snippet_chooser.ChooseResultsView):
    pass


class ApplicationChosenView(snippet_chooser.SnippetChosenView):
    def get_object(self, pk):
        return scoped_objects(self.model_class, self.request.user).get(pk=pk)


class ApplicationChosenMultipleView(snippet_chooser.SnippetChosenMultipleView):
    def get_objects(self, pks):
        return scoped_objects(self.model_class, self.request.user).filter(pk__in=pks)


class ApplicationChooserViewSet(snippet_chooser.SnippetChooserViewSet):
    choose_view_class = ApplicationChooseView
    choose_results_view_class = ApplicationChooseResultsView
    chosen_view_class = ApplicationChosenView
    chosen_multiple_view_class = ApplicationChosenMultipleView
