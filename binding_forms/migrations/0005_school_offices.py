"""Who serves a school moves from a list of registrars to staff assignments by office (註冊組,
學務處, …); every registrar keeps serving their schools in the registration office."""

import django.db.models.deletion
import modelcluster.fields
from django.conf import settings
from django.db import migrations, models


def registrars_to_assignments(apps, schema_editor):
    School = apps.get_model("binding_forms", "School")
    StaffAssignment = apps.get_model("binding_forms", "StaffAssignment")
    StaffAssignment.objects.bulk_create(
        StaffAssignment(school_id=school_id, user_id=user_id, office="registration")
        for school_id, user_id in School.registrars.through.objects.values_list(
            "school_id", "user_id"
        )
    )


def assignments_to_registrars(apps, schema_editor):
    School = apps.get_model("binding_forms", "School")
    StaffAssignment = apps.get_model("binding_forms", "StaffAssignment")
    School.registrars.through.objects.bulk_create(
        School.registrars.through(school_id=school_id, user_id=user_id)
        for school_id, user_id in StaffAssignment.objects.filter(
            office="registration"
        ).values_list("school_id", "user_id")
    )


class Migration(migrations.Migration):

    dependencies = [
        ('binding_forms', '0004_binding_wizard'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='StaffAssignment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('office', models.CharField(choices=[('registration', 'registration office (註冊組)'), ('student_affairs', 'student affairs office (學務處)'), ('academic_affairs', 'academic affairs office (教務處)'), ('counseling', 'counseling office (輔導室)'), ('general_affairs', 'general affairs office (總務處)')], max_length=20, verbose_name='office')),
                ('school', modelcluster.fields.ParentalKey(on_delete=django.db.models.deletion.CASCADE, related_name='staff', to='binding_forms.school', verbose_name='school')),
                ('user', models.ForeignKey(limit_choices_to={'is_staff': True}, on_delete=django.db.models.deletion.CASCADE, related_name='school_offices', to=settings.AUTH_USER_MODEL, verbose_name='staff member')),
            ],
            options={
                'verbose_name': 'staff assignment',
                'verbose_name_plural': 'staff assignments',
                'indexes': [models.Index(fields=['user', 'office'], name='binding_for_user_id_ff979b_idx')],
                'constraints': [models.UniqueConstraint(fields=('school', 'user', 'office'), name='one_assignment_per_school_user_office')],
            },
        ),
        migrations.RunPython(registrars_to_assignments, assignments_to_registrars),
        migrations.RemoveField(
            model_name='school',
            name='registrars',
        ),
    ]
