"""HasRows (edem.core.expressions) gives what Exists over the same rows gives, the outer model's
own table included (its inner table has an alias of its own)."""

import pytest
from django.db.models import Exists, OuterRef

from appeals.models import Appeal, InternalNote
from edem.core.expressions import HasRows
from tests.factories import AppealFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_has_rows_is_exists_written_out():
    merged_into, noted, plain = AppealFactory(), AppealFactory(), AppealFactory()
    AppealFactory(cabinet=merged_into.cabinet, merged_into=merged_into, status="merged")
    InternalNote.objects.create(appeal=noted, author=UserFactory(), text="note")
    ours = Appeal.objects.annotate(
        merged=HasRows(Appeal, "merged_into"), noted=HasRows(InternalNote, "appeal")
    )
    django = Appeal.objects.annotate(
        merged=Exists(Appeal.objects.filter(merged_into=OuterRef("pk"))),
        noted=Exists(InternalNote.objects.filter(appeal=OuterRef("pk"))),
    )
    rows = set(ours.values_list("pk", "merged", "noted"))
    assert rows == set(django.values_list("pk", "merged", "noted"))
    assert (merged_into.pk, True, False) in rows
    assert (noted.pk, False, True) in rows
    assert (plain.pk, False, False) in rows
    assert list(ours.filter(merged=True).values_list("pk", flat=True)) == [merged_into.pk]


def test_has_rows_with_further_conditions():
    from allauth.mfa.models import Authenticator

    from edem.accounts.models import User

    with_app, with_codes_only, without = UserFactory(), UserFactory(), UserFactory()
    Authenticator.objects.create(user=with_app, type=Authenticator.Type.TOTP, data={})
    Authenticator.objects.create(
        user=with_codes_only, type=Authenticator.Type.RECOVERY_CODES, data={}
    )
    app = HasRows(Authenticator, "user", type=Authenticator.Type.TOTP)
    found = dict(
        User.objects.filter(pk__in=[with_app.pk, with_codes_only.pk, without.pk])
        .annotate(app=app)
        .values_list("pk", "app")
    )
    assert found == {with_app.pk: True, with_codes_only.pk: False, without.pk: False}
