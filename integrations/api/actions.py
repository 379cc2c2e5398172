"""The workflow actions through the API: each is the service cabinet's card action
(``appeals.actions.CARD_ACTIONS``), its input checked by the card's own form and performed by
the same service, so a rule refused on the card is refused here with the same words."""

from django.http import QueryDict

from appeals.actions import CARD_ACTIONS

from .problems import Invalid, form_errors

# Every card action; the ones that take files on the card (an information request's answer
# files) take them through ``…/documents/`` here.
API_ACTIONS = tuple(CARD_ACTIONS)


def form_data(name, payload):
    """The JSON ``payload`` as the card form's POST data (prefixed with the action's name):
    lists become repeated values, true becomes "on", false and null are left out."""
    data = QueryDict(mutable=True)
    for key, value in (payload or {}).items():
        field = f"{name}-{key}"
        if isinstance(value, list | tuple):
            data.setlist(field, [str(v) for v in value])
        elif value is True:
            data[field] = "on"
        elif value is None or value is False:
            continue
        else:
            data[field] = str(value)
    return data


def perform(*, appeal, actor, name, payload):
    """Run action ``name`` on ``appeal`` as ``actor``; raises ``Invalid`` (422) when the card's
    form refuses the input, and lets the service's ``TransitionNotAllowed`` through (409)."""
    card_action = CARD_ACTIONS[name]
    uploads = ([], []) if card_action.takes_uploads else None
    form = card_action.form(
        name, form_data(name, payload), appeal=appeal, user=actor, uploads=uploads
    )
    if not form.is_valid():
        errors = {key.removeprefix(f"{name}-"): v for key, v in form_errors(form).items()}
        raise Invalid(errors)
    return card_action.perform(appeal=appeal, actor=actor, form=form)
