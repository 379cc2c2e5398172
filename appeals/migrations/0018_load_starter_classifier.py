"""The starter topic classifier of both profiles (R16), so that a new installation can code
its appeals with nothing but ``migrate``."""

from django.db import migrations


def forwards(apps, schema_editor):
    from appeals.classifier_data import load_starter

    load_starter(apps.get_model("appeals", "ClassifierCode"))


class Migration(migrations.Migration):
    dependencies = [("appeals", "0017_classifier_and_result")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
