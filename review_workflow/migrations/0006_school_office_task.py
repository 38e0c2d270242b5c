"""The registrar review becomes the review of one office of the child's school (註冊組, 學務處, …);
existing review steps keep reviewing in the registration office."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("binding_forms", "0005_school_offices"),
        ("review_workflow", "0005_outgoing_mail_template_error"),
    ]

    operations = [
        migrations.RenameModel("SchoolRegistrarTask", "SchoolOfficeTask"),
        migrations.AlterModelOptions(
            name="schoolofficetask",
            options={
                "verbose_name": "school office review",
                "verbose_name_plural": "school office reviews",
            },
        ),
        migrations.AddField(
            model_name="schoolofficetask",
            name="office",
            field=models.CharField(
                choices=[
                    ("registration", "registration office (註冊組)"),
                    ("student_affairs", "student affairs office (學務處)"),
                    ("academic_affairs", "academic affairs office (教務處)"),
                    ("counseling", "counseling office (輔導室)"),
                    ("general_affairs", "general affairs office (總務處)"),
                ],
                default="registration",
                max_length=20,
                verbose_name="office",
            ),
        ),
    ]
