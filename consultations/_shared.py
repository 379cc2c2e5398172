"""Helpers the consultation instruments (discussions, polls, petitions, budgets) share. The
module is private to the ``consultations`` package: nothing outside it imports it."""

from cabinets.access import roles_by_cabinet


def staff_cabinet_ids(user):
    """The ids of the cabinets where ``user`` has a role, in order: whose instruments they
    see in the service cabinet."""
    return sorted(roles_by_cabinet(user))
