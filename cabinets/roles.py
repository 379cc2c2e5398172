"""Roles in a service cabinet and the object permissions each grants (django-guardian).

This is the one place that says which role may do what in a cabinet; services, workflows and
views ask ``cabinets.access.can(user, "cabinets.<codename>", cabinet)``.
"""

from django.db import models
from django.utils.translation import pgettext_lazy

# codename -> human name, declared on Cabinet.Meta.permissions
CABINET_PERMISSIONS = (
    ("view_cabinet_work", "Can see the cabinet's work (appeals, queue)"),
    ("register_appeal", "Can register appeals"),
    ("assign_appeal", "Can assign appeals to executors"),
    ("answer_appeal", "Can draft answers to appeals"),
    ("sign_answer", "Can sign answers"),
    ("extend_deadline", "Can extend deadlines"),
    ("publish", "Can publish news and announcements"),
    ("manage_members", "Can manage the cabinet's staff"),
    ("verify_residents", "Can verify residents in person (identity document seen)"),
)


class Role(models.TextChoices):
    HEAD = "head", pgettext_lazy("cabinet role", "Head")
    REGISTRAR = "registrar", pgettext_lazy("cabinet role", "Registrar")
    EXECUTOR = "executor", pgettext_lazy("cabinet role", "Executor")
    OBSERVER = "observer", pgettext_lazy("cabinet role", "Observer")


ROLE_PERMISSIONS = {
    Role.HEAD: frozenset(code for code, _ in CABINET_PERMISSIONS),
    Role.REGISTRAR: frozenset(
        {"view_cabinet_work", "register_appeal", "publish", "verify_residents"}
    ),
    Role.EXECUTOR: frozenset({"view_cabinet_work", "answer_appeal"}),
    Role.OBSERVER: frozenset({"view_cabinet_work"}),
}


def permissions_for_roles(roles):
    """Union of the permission codenames that the given roles grant."""
    granted = set()
    for role in roles:
        granted |= ROLE_PERMISSIONS[Role(role)]
    return frozenset(granted)
