"""Query expressions of our own."""

from django.db.models import BooleanField, F, Func


class HasRows(Func):
    """Whether ``model`` has a row whose ``field`` (a foreign key) points to the outer row:
    ``EXISTS (SELECT 1 FROM <table> h WHERE h.<column> = <outer pk>)``. The same SQL as
    ``Exists(model.objects.filter(field=OuterRef("pk")))``, written out instead of built and
    compiled as a queryset: a page that asks six of these (the appeal card) spent a
    millisecond doing so. The inner table has its own alias, so ``model`` may be the outer
    model itself. ``outer``: the outer field to match (the primary key by default);
    ``equals``: further fields of the inner row and the values they must have."""

    output_field = BooleanField()
    template = (
        "EXISTS (SELECT 1 FROM %(table)s h WHERE h.%(column)s = %(expressions)s%(conditions)s)"
    )

    def __init__(self, model, field, outer="pk", **equals):
        self.inner = (model, field, tuple(sorted(equals.items())))
        super().__init__(F(outer))

    def as_sql(self, compiler, connection, **extra_context):
        model, field, equals = self.inner
        qn = connection.ops.quote_name
        conditions = "".join(
            f" AND h.{qn(model._meta.get_field(name).column)} = %s" for name, _value in equals
        )
        sql, params = super().as_sql(
            compiler,
            connection,
            table=qn(model._meta.db_table),
            column=qn(model._meta.get_field(field).column),
            conditions=conditions,
            **extra_context,
        )
        return sql, (*params, *(value for _name, value in equals))
