"""Row locks for use cases: reload the row under ``SELECT … FOR UPDATE`` so that two people (or
a person and the beat) acting at once never both win. Call inside the service's transaction."""


def locked(instance, *related):
    """``instance`` reloaded under a row lock, with ``related`` foreign keys joined (default:
    its ``cabinet`` when it has one)."""
    model = type(instance)
    if not related and any(f.name == "cabinet" for f in model._meta.concrete_fields):
        related = ("cabinet",)
    return model.objects.select_for_update().select_related(*related).get(pk=instance.pk)
