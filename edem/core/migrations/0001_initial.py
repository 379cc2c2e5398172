from django.db import migrations


class Migration(migrations.Migration):
    """The kernel's first migration: no table yet; later ones depend on it."""

    initial = True
    dependencies = []
    operations = []
