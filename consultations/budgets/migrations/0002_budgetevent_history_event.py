"""BudgetEvent joins the kernel's immutable history (``edem.core.history.HistoryEvent``): its
states are named like every other history's (``from_status``/``to_status``, renamed so that no
line is lost), the time is indexed, and lines of one cycle are found by action through an
index, as for petitions."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("budgets", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="budgetevent",
            options={
                "ordering": ["at", "id"],
                "verbose_name": "budget event",
                "verbose_name_plural": "budget events",
            },
        ),
        migrations.RenameField(
            model_name="budgetevent", old_name="from_state", new_name="from_status"
        ),
        migrations.RenameField(model_name="budgetevent", old_name="to_state", new_name="to_status"),
        migrations.AlterField(
            model_name="budgetevent",
            name="from_status",
            field=models.CharField(blank=True, max_length=30, verbose_name="from"),
        ),
        migrations.AlterField(
            model_name="budgetevent",
            name="to_status",
            field=models.CharField(blank=True, max_length=30, verbose_name="to"),
        ),
        migrations.AlterField(
            model_name="budgetevent",
            name="at",
            field=models.DateTimeField(
                db_index=True, default=django.utils.timezone.now, verbose_name="time"
            ),
        ),
        migrations.AlterField(
            model_name="budgetevent",
            name="data",
            field=models.JSONField(blank=True, default=dict, verbose_name="details"),
        ),
        migrations.AddIndex(
            model_name="budgetevent",
            index=models.Index(fields=["cycle", "action"], name="budget_event_idx"),
        ),
    ]
