"""Applications under review made in bulk, as copies of ones the real path made.

Submitting through the wizard's services and starting each Wagtail review takes about 2 s an
application on the shared machine (5.5 hours for 10,000), so a listing at start-of-year scale
was never measured. Here the real path makes a few applications (``benchmarks/bulk_approve.py``'s
``_submit``); each further one copies, in a handful of ``bulk_create`` calls, every row Wagtail
and the portal keep for an application of the same shape: the student account and the student
(their own ID number through the project's digest and cipher), the application, its applicants
(their own digests and ciphertexts; some fathers applying for a sibling), its revisions (the
copy's own ``serializable_data``), its workflow state and task states (the registry match's
``RegistryMatchTaskState`` row too: a multi-table child, inserted beside its parent) and its
log entries. Only the rows a listing never reads are left out (the queued mails, the email
codes): the copies are listings' material, not mail.
"""

import random
import uuid


def in_review_copies(*, school, templates, first: int, last: int, seed: int) -> int:
    """Applications ``first`` to ``last`` (exclusive) of ``school``, each a copy of the template
    with as many applicants as it is given (one or two); returns how many applicants they
    name."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from wagtail.models import ModelLogEntry, Revision, TaskState, WorkflowState

    from benchmarks.roster_import import tw_id
    from binding_forms.identity.personal_data import encrypt, id_number_digest
    from binding_forms.models import Applicant, Application, Student

    rng = random.Random(seed + first)
    shapes = {template.applicant_count: _Shape(template) for template in templates}
    if set(shapes) != {1, 2}:
        raise ValueError("templates: one application with one applicant and one with two")
    numbers = range(first, last)
    user_model = get_user_model()
    unusable = make_password(None)  # the student account's, as create_user leaves it

    with transaction.atomic():
        users = user_model.objects.bulk_create(
            user_model(username=f"{school.moe_code}-P113{index:04d}", password=unusable)
            for index in numbers
        )
        students = []
        for index, user in zip(numbers, users, strict=True):
            child_id = tw_id(rng, rng.choice((1, 2)))
            students.append(
                Student(
                    school=school,
                    student_number=f"113{index:04d}",
                    name=f"王小明{index}",
                    grade=index % 6 + 1,
                    class_number=index % 9 + 1,
                    id_number_digest=id_number_digest(child_id),
                    id_number_encrypted=encrypt(child_id),
                    user=user,
                )
            )
        Student.objects.bulk_create(students)

        fathers, families = [], []  # (digest, ciphertext, name, email) of earlier applicants
        for index in numbers:
            if fathers and rng.random() < 0.1:  # a younger sibling: the same father applies
                people = [rng.choice(fathers)]
            else:
                people = [_person(rng, 1, f"王大同{index}", f"father{index}@example.com")]
                if index % 2:
                    people.append(_person(rng, 2, f"林美玲{index}", f"mother{index}@example.com"))
                fathers.append(people[0])
            families.append(people)

        applications = Application.objects.bulk_create(
            shapes[len(people)].application(student=student, requester=user)
            for student, user, people in zip(students, users, families, strict=True)
        )
        applicants = []
        for application, people in zip(applications, families, strict=True):
            shape = shapes[len(people)]
            for template, (digest, ciphertext, name, email) in zip(
                shape.applicants, people, strict=True
            ):
                applicants.append(
                    shape.copy(
                        template,
                        application=application,
                        name=name,
                        id_number_digest=digest,
                        id_number_encrypted=ciphertext,
                        mobile=f"09{rng.randrange(10**8):08d}",
                        email=email,
                    )
                )
        Applicant.objects.bulk_create(applicants)

        # Revisions: what each copy is, as ``save_revision`` serialises it (applicants included).
        made = {
            a.pk: a
            for a in Application.objects.filter(pk__in=[a.pk for a in applications])
            .select_related("student__school")
            .prefetch_related("applicants")
        }
        revisions, revision_of = [], []  # revision_of: (application, template revision pk)
        for application in applications:
            shape = shapes[application.applicant_count]
            copy = made[application.pk]
            for template in shape.revisions:
                revisions.append(
                    shape.copy(
                        template,
                        object_id=str(copy.pk),
                        user_id=copy.requester_id,
                        object_str=str(copy),
                        content=copy.serializable_data(),
                    )
                )
                revision_of.append((application.pk, template.pk))
        Revision.objects.bulk_create(revisions)
        new_revision = {key: r.pk for key, r in zip(revision_of, revisions, strict=True)}
        for application in applications:
            shape = shapes[application.applicant_count]
            application.latest_revision_id = new_revision.get(
                (application.pk, shape.template.latest_revision_id)
            )
        Application.objects.bulk_update(applications, ["latest_revision"], batch_size=2000)

        # Workflow states and their task states, the current one pointed at afterwards.
        states, state_of = [], []
        for application in applications:
            shape = shapes[application.applicant_count]
            for template in shape.workflow_states:
                states.append(
                    shape.copy(
                        template,
                        object_id=str(application.pk),
                        requested_by_id=application.requester_id,
                        current_task_state=None,
                    )
                )
                state_of.append((application.pk, template.pk))
        WorkflowState.objects.bulk_create(states)
        new_state = dict(zip(state_of, states, strict=True))
        task_states, task_state_of = [], []
        for application in applications:
            shape = shapes[application.applicant_count]
            for template in shape.task_states:
                task_states.append(
                    shape.copy(
                        template,
                        workflow_state=new_state[(application.pk, template.workflow_state_id)],
                        revision_id=new_revision.get((application.pk, template.revision_id)),
                        finished_by_id=application.requester_id
                        if template.finished_by_id == shape.template.requester_id
                        else template.finished_by_id,
                    )
                )
                task_state_of.append((application, template))
        TaskState.objects.bulk_create(task_states)
        new_task_state = {
            (application.pk, template.pk): made_state.pk
            for (application, template), made_state in zip(task_state_of, task_states, strict=True)
        }
        _insert_specific_rows(connection, task_state_of, task_states, shapes)
        for (application_pk, template_pk), state in new_state.items():
            template = next(
                s for shape in shapes.values() for s in shape.workflow_states if s.pk == template_pk
            )
            state.current_task_state_id = new_task_state.get(
                (application_pk, template.current_task_state_id)
            )
        WorkflowState.objects.bulk_update(
            new_state.values(), ["current_task_state"], batch_size=2000
        )

        # The history Wagtail shows on each application's screen.
        entries = []
        for application in applications:
            shape = shapes[application.applicant_count]
            request = uuid.uuid4()
            for template in shape.log_entries:
                entries.append(
                    shape.copy(
                        template,
                        object_id=str(application.pk),
                        label=str(made[application.pk]),
                        user_id=application.requester_id
                        if template.user_id == shape.template.requester_id
                        else template.user_id,
                        revision_id=new_revision.get((application.pk, template.revision_id)),
                        uuid=request,
                    )
                )
        ModelLogEntry.objects.bulk_create(entries, batch_size=2000)
    return len(applicants)


def _person(rng, sex: int, name: str, email: str) -> tuple[str, str, str, str]:
    from benchmarks.roster_import import tw_id
    from binding_forms.identity.personal_data import encrypt, id_number_digest

    id_number = tw_id(rng, sex)
    return id_number_digest(id_number), encrypt(id_number), name, email


def _insert_specific_rows(connection, task_state_of, task_states, shapes) -> None:
    """A task state of a step's own model (``RegistryMatchTaskState``) is two rows, Django's
    multi-table inheritance; ``bulk_create`` makes the parent's, this the child's, with the
    template's own values."""
    rows: dict[type, list[tuple]] = {}
    for (_application, template), made in zip(task_state_of, task_states, strict=True):
        specific = template.specific
        model = type(specific)
        if model._meta.concrete_model is type(made)._meta.concrete_model:
            continue
        fields = model._meta.local_concrete_fields
        rows.setdefault(model, []).append(
            tuple(
                made.pk
                if field.primary_key
                else field.get_db_prep_save(getattr(specific, field.attname), connection)
                for field in fields
            )
        )
    with connection.cursor() as cursor:
        for model, values in rows.items():
            quote = connection.ops.quote_name
            columns = [field.column for field in model._meta.local_concrete_fields]
            cursor.executemany(
                f"INSERT INTO {quote(model._meta.db_table)} "
                f"({', '.join(quote(c) for c in columns)}) "
                f"VALUES ({', '.join(['%s'] * len(columns))})",
                values,
            )


class _Shape:
    """One real application and the rows Wagtail and the portal keep for it."""

    def __init__(self, template):
        from django.contrib.contenttypes.models import ContentType
        from wagtail.models import ModelLogEntry, TaskState

        self.template = template
        self.applicants = list(template.applicants.order_by("position"))
        self.revisions = list(template.revisions.order_by("pk"))
        self.workflow_states = list(template.workflow_states.order_by("pk"))
        self.task_states = list(
            TaskState.objects.filter(workflow_state__in=self.workflow_states).order_by("pk")
        )
        self.log_entries = list(
            ModelLogEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(type(template)),
                object_id=str(template.pk),
            ).order_by("pk")
        )

    def application(self, *, student, requester):
        return self.copy(
            self.template,
            student=student,
            requester=requester,
            latest_revision=None,
            draft_data={},  # sent: nothing typed is kept (and never another family's)
        )

    @staticmethod
    def copy(template, **changes):
        """A new row of the template's model with the template's values but ``changes``."""
        model = type(template)
        values = {
            field.attname: getattr(template, field.attname)
            for field in model._meta.concrete_fields
            if not field.primary_key
        }
        copy = model(**values)
        for name, value in changes.items():
            setattr(copy, name, value)
        return copy
