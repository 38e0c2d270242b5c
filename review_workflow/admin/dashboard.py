"""The dashboard panel: each school's binding progress per class."""

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from wagtail.admin.ui.components import Component

from binding_forms.models import School, Student
from review_workflow.models import ParentStudentLink

# Dashboard: binding progress per class -------------------------------------------------------

LAGGING_BELOW = 0.8


def binding_progress(school: School) -> dict:
    """Per class: enrolled students, and those with at least one active parent link; one query.

    Lagging classes (below 80 %) first, lowest first; then the rest in class order.
    """
    active_link = ParentStudentLink.objects.active().filter(student=OuterRef("pk"))
    rows = list(
        Student.objects.filter(school=school, enrolled=True)
        .annotate(bound=Exists(active_link))
        .values("grade", "class_number")
        .annotate(total=Count("pk"), bound_count=Count("pk", filter=Q(bound=True)))
        .order_by("grade", "class_number")
    )
    classes = []
    for row in rows:
        ratio = row["bound_count"] / row["total"] if row["total"] else 0
        classes.append(
            {
                "label": f"{row['grade']}年{row['class_number']:02d}班",
                "letters_url": reverse(
                    "review_workflow_binding_letters",
                    args=(school.pk, row["grade"], row["class_number"]),
                ),
                "total": row["total"],
                "bound": row["bound_count"],
                "percent": round(ratio * 100),
                "lagging": ratio < LAGGING_BELOW,
            }
        )
    classes.sort(key=lambda c: (not c["lagging"], c["percent"] if c["lagging"] else 0))
    total = sum(c["total"] for c in classes)
    bound = sum(c["bound"] for c in classes)
    return {
        "school": school,
        "panel_id": f"binding-progress-{school.moe_code}",
        "classes": classes,
        "total": total,
        "bound": bound,
        "percent": round(bound * 100 / total) if total else 0,
    }


class BindingProgressPanel(Component):
    name = "binding_progress"
    template_name = "review_workflow/admin/binding_progress_panel.html"
    order = 110

    def __init__(self, schools):
        self.schools = schools

    def get_context_data(self, parent_context):
        return {"schools": [binding_progress(school) for school in self.schools]}
