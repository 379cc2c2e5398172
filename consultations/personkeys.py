"""Moving a person's voices to their person key (R30, R35), in the verifying transaction.

``edem.accounts.personkeys.record_keys`` sends ``person_keys_merged`` when a verification gives
a user a person key, or records a document on them, that differs from the key their voices were
stored under (their account's own key, or the document's key of a paper ballot entered before
the account was linked). Each instrument's rows under the old keys move to the new key, so the
unique (item, voter_key) constraints keep blocking a second voice of the person in any channel.

A row stays under its old key when the new key already has one in the same item: the person
voiced twice before anyone could know the two were one person. Such rows are counted (the
verification logs them) and left as cast; they are not silently dropped.
"""

from django.db.models import Exists, OuterRef

from consultations.budgets.models import Ballot as BudgetBallot
from consultations.budgets.models import Support as BudgetSupport
from consultations.budgets.models import Vote as BudgetVote
from consultations.discussions.models import Support as DiscussionSupport
from consultations.petitions.models import Signature
from consultations.polls.models import Ballot as PollBallot

# model -> the field of the item the (item, voter_key) constraint is on
KEYED = (
    (Signature, "petition"),
    (PollBallot, "poll"),
    (DiscussionSupport, "comment"),
    (BudgetSupport, "project"),
    (BudgetBallot, "cycle"),
)


def _move(model, item, old_key, new_key):
    """Move ``model``'s rows from ``old_key`` to ``new_key`` where the item has none under
    ``new_key`` yet; return how many stay behind."""
    taken = model.objects.filter(voter_key=new_key, **{item: OuterRef(item)})
    rows = model.objects.filter(voter_key=old_key)
    rows.filter(~Exists(taken)).update(voter_key=new_key)
    return rows.count()


def merge_voices(sender, *, user, old_keys, new_key, **kwargs):
    left = 0
    for old_key in old_keys:
        for model, item in KEYED:
            left += _move(model, item, old_key, new_key)
        # a budget vote follows its ballot (its key repeats the ballot's)
        BudgetVote.objects.filter(voter_key=old_key, ballot__voter_key=new_key).update(
            voter_key=new_key
        )
    return left
