from django.db import migrations, models


class Migration(migrations.Migration):
    """Open311's request list pages through this index (``integrations.open311.request_list``)."""

    dependencies = [
        ("problems", "0006_public_page_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="publicproblem",
            index=models.Index(
                fields=["-received_at", "-appeal"],
                include=("state", "category"),
                name="problem_open311_idx",
            ),
        ),
    ]
