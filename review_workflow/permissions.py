"""What school staff may do with applications, parent–child links and form submissions: their own
school's only, in their own office."""

from binding_forms.registry.scope import SchoolScopedPermissionPolicy


class ApplicationPermissionPolicy(SchoolScopedPermissionPolicy):
    """Applications come only from the parents' wizard and are kept as records: nobody adds,
    copies or deletes one in the admin, not even a superuser. Approving publishes the
    application (Wagtail's last workflow step needs ``publish``), but publishing or unpublishing
    outside the workflow is not offered (see ``ApplicationEditView``)."""

    denied_actions = frozenset({"add", "delete"})

    def __init__(self, model, **scope):
        super().__init__(model, school_path="student__school", **scope)

    def user_has_permission(self, user, action) -> bool:
        if action in self.denied_actions:
            return False
        return super().user_has_permission(user, action)


class ParentStudentLinkPermissionPolicy(SchoolScopedPermissionPolicy):
    """Links are made by approvals and only ever revoked (with a reason): the generic add, edit
    and delete screens stay closed; ``revoke`` rides on the ``change`` permission."""

    def __init__(self, model):
        super().__init__(model, school_path="student__school")

    def user_has_permission(self, user, action) -> bool:
        if action == "revoke":
            return super().user_has_permission(user, "change")
        if action in {"add", "change", "delete"}:
            return False
        return super().user_has_permission(user, action)


class SchoolFormSubmissionPermissionPolicy(ApplicationPermissionPolicy):
    """Form submissions are kept as records like applications, each seen by the staff of its
    child's school in the office its form's workflow names (學務處 for 線上請假); a draft is the
    parent's alone until it is sent."""

    # From a submission to the office of each review step of its form's workflow.
    OFFICE_PATH = "page__workflow__workflow_tasks__task__schoolofficetask__office"

    def __init__(self, model):
        super().__init__(model, office_path=self.OFFICE_PATH)

    def instances_user_has_any_permission_for(self, user, actions):
        return (
            super()
            .instances_user_has_any_permission_for(user, actions)
            .filter(submitted_at__isnull=False)
        )
