"""Small pieces shared by the apps' admin pages."""


class ListProtectedOnDelete:
    """A ModelAdmin mixin: when records that may not be deleted (appeals, for instance) still
    use the object, the delete page lists them one by one ("protected related objects")
    instead of only naming their type as a missing permission. Nothing is deleted either
    way; the administrator sees what to reassign first."""

    def get_deleted_objects(self, objs, request):
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        if protected:
            perms_needed = set()
        return deleted, model_count, perms_needed, protected
