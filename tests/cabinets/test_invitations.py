"""Officials join a cabinet by invitation: a one-time, expiring link sent by mail; following it
they choose a password (which confirms the address) and the membership begins; the second
factor is set up at the first sign-in."""

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import get_perms

from cabinets import services
from cabinets.models import Membership, StaffEvent, StaffInvitation
from cabinets.roles import ROLE_PERMISSIONS, Role
from edem.accounts.models import User
from edem.notifications.models import Notification
from edem.notifications.services import render
from tests.factories import CabinetFactory, UserFactory, member

pytestmark = pytest.mark.django_db

PASSWORD = "Kolokol-Sosna-1987"


def _invite(cabinet, actor, email="new.official@example.org", role=Role.REGISTRAR):
    return services.invite_official(
        actor=actor,
        cabinet=cabinet,
        email=email,
        last_name="Сидорова",
        first_name="Анна",
        patronymic="Олеговна",
        role=role,
        position="Главный специалист",
    )


def _link(invitation):
    mail = Notification.objects.get(key=f"staff-invitation:{invitation.pk}")
    return mail.context["path"]


def _token(invitation):
    return _link(invitation).rstrip("/").rsplit("/", 1)[1]


def test_a_head_invites_by_mail_and_only_the_token_hash_is_stored():
    cabinet = CabinetFactory(name="Отдел ЖКХ")
    head = member(cabinet, Role.HEAD)
    invitation = _invite(cabinet, head, email="New.Official@Example.org")
    assert invitation.email == "new.official@example.org"
    assert invitation.status == StaffInvitation.Status.PENDING
    assert invitation.expires_at > timezone.now() + timedelta(days=6)
    token = _token(invitation)
    assert token not in invitation.token_hash and len(invitation.token_hash) == 64
    mail = Notification.objects.get(key=f"staff-invitation:{invitation.pk}")
    assert mail.email == "new.official@example.org" and mail.template == "cabinets/invitation"
    subject, text, _html = render(mail)
    assert "Отдел ЖКХ" in subject and _link(invitation) in text
    assert StaffEvent.objects.filter(cabinet=cabinet, action="invite", actor=head).exists()


def test_only_a_head_or_an_administrator_may_invite():
    cabinet = CabinetFactory()
    registrar = member(cabinet, Role.REGISTRAR)
    with pytest.raises(PermissionDenied):
        _invite(cabinet, registrar)
    with pytest.raises(PermissionDenied):
        _invite(cabinet, None)
    admin = UserFactory(is_superuser=True, is_staff=True)
    assert _invite(cabinet, admin).pk


def test_someone_already_in_the_role_is_not_invited_again():
    cabinet = CabinetFactory()
    head = member(cabinet, Role.HEAD)
    existing = member(cabinet, Role.REGISTRAR)
    with pytest.raises(services.CabinetError):
        _invite(cabinet, head, email=existing.email, role=Role.REGISTRAR)


def test_accepting_sets_the_password_confirms_the_address_and_starts_the_membership():
    cabinet = CabinetFactory()
    head = member(cabinet, Role.HEAD)
    invitation = _invite(cabinet, head)
    services.accept_invitation(token=_token(invitation), password=PASSWORD)
    invitation.refresh_from_db()
    user = User.objects.get(email="new.official@example.org")
    assert invitation.status == StaffInvitation.Status.ACCEPTED and invitation.user == user
    assert user.check_password(PASSWORD)
    assert (user.last_name, user.first_name, user.patronymic) == ("Сидорова", "Анна", "Олеговна")
    address = EmailAddress.objects.get(user=user)
    assert address.verified and address.primary and address.email == user.email
    membership = Membership.objects.active().get(user=user, cabinet=cabinet)
    assert membership.role == Role.REGISTRAR and membership.position == "Главный специалист"
    assert set(get_perms(user, cabinet)) == set(ROLE_PERMISSIONS[Role.REGISTRAR])
    assert StaffEvent.objects.filter(cabinet=cabinet, action="invite_accepted").exists()
    assert Notification.objects.filter(
        recipient=head, template="cabinets/invitation_accepted"
    ).exists()


def test_an_existing_citizen_keeps_their_account_and_gets_the_role():
    cabinet = CabinetFactory()
    head = member(cabinet, Role.HEAD)
    citizen = UserFactory(email="citizen@example.org", last_name="Петров")
    invitation = _invite(cabinet, head, email="citizen@example.org", role=Role.EXECUTOR)
    services.accept_invitation(token=_token(invitation), password=PASSWORD)
    citizen.refresh_from_db()
    assert citizen.last_name == "Петров" and citizen.check_password(PASSWORD)
    assert citizen.is_cabinet_member
    assert User.objects.filter(email__iexact="citizen@example.org").count() == 1


@pytest.mark.parametrize("reason", ["used", "expired", "revoked", "unknown"])
def test_a_link_used_expired_withdrawn_or_forged_opens_nothing(reason):
    cabinet = CabinetFactory()
    head = member(cabinet, Role.HEAD)
    invitation = _invite(cabinet, head)
    token = _token(invitation)
    if reason == "used":
        services.accept_invitation(token=token, password=PASSWORD)
    elif reason == "expired":
        StaffInvitation.objects.filter(pk=invitation.pk).update(
            expires_at=timezone.now() - timedelta(minutes=1)
        )
    elif reason == "revoked":
        services.revoke_invitation(invitation=invitation, actor=head)
    else:
        token = token[:-3] + ("abc" if not token.endswith("abc") else "xyz")
    with pytest.raises(services.InvitationRefused) as refusal:
        services.accept_invitation(token=token, password="Another-Pass-2024")
    assert refusal.value.reason == reason
    user = User.objects.filter(email="new.official@example.org").first()
    assert user is None or user.check_password(PASSWORD)


def test_a_new_invitation_to_the_same_address_withdraws_the_earlier_one():
    cabinet = CabinetFactory()
    head = member(cabinet, Role.HEAD)
    first = _invite(cabinet, head)
    second = _invite(cabinet, head, role=Role.EXECUTOR)
    first.refresh_from_db()
    assert first.status == StaffInvitation.Status.REVOKED
    with pytest.raises(services.InvitationRefused):
        services.invitation_for(_token(first))
    assert services.invitation_for(_token(second)) == second


def test_a_weak_password_is_refused_and_the_link_still_works():
    cabinet = CabinetFactory()
    invitation = _invite(cabinet, member(cabinet, Role.HEAD))
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.accept_invitation(token=_token(invitation), password="123")
    assert services.invitation_for(_token(invitation)).pk == invitation.pk


# --- The pages ----------------------------------------------------------------------


def test_the_link_page_sets_the_password_and_a_second_visit_is_refused_clearly(client):
    cabinet = CabinetFactory()
    invitation = _invite(cabinet, member(cabinet, Role.HEAD))
    link = _link(invitation)
    page = client.get(link)
    assert page.status_code == 200 and 'id="accept-invitation"' in page.content.decode()
    differ = client.post(link, {"password1": PASSWORD, "password2": PASSWORD + "x"})
    assert differ.status_code == 400
    assert (
        'id="id_password2_error"' in differ.content.decode()
        or "password2" in differ.content.decode()
    )
    done = client.post(link, {"password1": PASSWORD, "password2": PASSWORD})
    assert done.status_code == 302 and done["Location"].startswith(reverse("account_login"))
    again = client.get(link)
    assert again.status_code == 410
    assert 'data-reason="used"' in again.content.decode()
    assert client.get(reverse("cabinets:invitation", args=["forged:token"])).status_code == 404


def test_the_invited_official_signs_in_without_a_confirmation_mail_and_meets_the_totp_setup(
    client,
):
    cabinet = CabinetFactory()
    invitation = _invite(cabinet, member(cabinet, Role.HEAD))
    client.post(_link(invitation), {"password1": PASSWORD, "password2": PASSWORD})
    signed_in = client.post(
        reverse("account_login"),
        {"login": "new.official@example.org", "password": PASSWORD},
        follow=True,
    )
    chain = [url for url, _status in signed_in.redirect_chain]
    assert not any("confirm-email" in url for url in chain)
    assert signed_in.wsgi_request.user.is_authenticated
    assert chain[-1] == reverse("accounts:mfa_required")


@pytest.mark.django_db(transaction=True)
def test_setting_up_the_app_counts_as_using_the_second_factor(client):
    """After typing the first code from the new app, the official reaches the service
    cabinet without a second prompt."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    cabinet = CabinetFactory(code="zhkh")
    invitation = _invite(cabinet, member(cabinet, Role.HEAD))
    client.post(_link(invitation), {"password1": PASSWORD, "password2": PASSWORD})
    client.post(
        reverse("account_login"), {"login": "new.official@example.org", "password": PASSWORD}
    )
    response = client.get(reverse("mfa_activate_totp"))
    page = response.content.decode()
    assert response.status_code == 200, (response.status_code, response.get("Location"))
    secret = re.search(r'id="authenticator_secret"[^>]*>([A-Z2-7]+)<', page).group(1)
    code = format_hotp_value(hotp_value(secret, int(timezone.now().timestamp()) // 30))
    client.post(reverse("mfa_activate_totp"), {"code": code})
    assert client.get(reverse("service:cabinet", args=["zhkh"])).status_code == 200


def _head_client(client, cabinet):
    head = member(cabinet, Role.HEAD)
    client.force_login(head)
    return head


def test_the_heads_staff_screen_shows_email_role_and_second_factor(client):
    cabinet = CabinetFactory()
    _head_client(client, cabinet)
    with_app = member(cabinet, Role.REGISTRAR, email="with.app@example.org")
    without = member(cabinet, Role.EXECUTOR, mfa=False, email="no.app@example.org")
    html = client.get(reverse("service:staff", args=[cabinet.code])).content.decode()
    rows = {m.pk: m for m in Membership.objects.filter(cabinet=cabinet)}
    for membership in rows.values():
        assert f'id="membership-{membership.pk}"' in html
    row = html.split(f'id="membership-{Membership.objects.get(user=with_app).pk}"')[1].split(
        "</tr>"
    )[0]
    assert "with.app@example.org" in row and "badge-success" in row
    row = html.split(f'id="membership-{Membership.objects.get(user=without).pk}"')[1].split(
        "</tr>"
    )[0]
    assert "no.app@example.org" in row and "badge-warning" in row


def test_only_the_head_reaches_the_staff_screen(client):
    cabinet = CabinetFactory()
    client.force_login(member(cabinet, Role.REGISTRAR))
    assert client.get(reverse("service:staff", args=[cabinet.code])).status_code == 403


def test_the_head_invites_changes_a_role_and_ends_a_membership_from_the_screen(client):
    cabinet = CabinetFactory()
    head = _head_client(client, cabinet)
    response = client.post(
        reverse("service:staff_invite", args=[cabinet.code]),
        {
            "email": "invitee@example.org",
            "last_name": "Орлов",
            "first_name": "Игорь",
            "role": Role.EXECUTOR,
        },
    )
    assert response.status_code == 302
    assert StaffInvitation.objects.get(email="invitee@example.org").invited_by == head
    bad = client.post(reverse("service:staff_invite", args=[cabinet.code]), {"email": "x"})
    assert bad.status_code == 400 and 'id="invite-form"' in bad.content.decode()

    official = member(cabinet, Role.EXECUTOR)
    membership = Membership.objects.get(user=official, cabinet=cabinet)
    client.post(
        reverse("service:staff_change_role", args=[cabinet.code, membership.pk]),
        {"role": Role.REGISTRAR},
    )
    current = Membership.objects.active().get(user=official, cabinet=cabinet)
    assert current.role == Role.REGISTRAR
    client.post(reverse("service:staff_end", args=[cabinet.code, current.pk]))
    assert not Membership.objects.active().filter(user=official, cabinet=cabinet).exists()
    actions = list(StaffEvent.objects.filter(cabinet=cabinet).values_list("action", flat=True))
    assert actions == ["invite", "change_role", "end_membership"]


def test_the_only_head_cannot_end_their_own_membership(client):
    cabinet = CabinetFactory()
    head = _head_client(client, cabinet)
    own = Membership.objects.get(user=head, cabinet=cabinet)
    client.post(reverse("service:staff_end", args=[cabinet.code, own.pk]))
    assert Membership.objects.active().filter(pk=own.pk).exists()
    with pytest.raises(services.CabinetError):
        services.change_role(membership=own, role=Role.OBSERVER, actor=head)


# --- The admin ----------------------------------------------------------------------


def test_the_admin_invite_page_sends_the_invitation(admin_client, admin_user):
    cabinet = CabinetFactory()
    page = admin_client.get(reverse("admin:cabinets_staffinvitation_add"))
    assert page.status_code == 200
    response = admin_client.post(
        reverse("admin:cabinets_staffinvitation_add"),
        {
            "email": "from.admin@example.org",
            "last_name": "Белова",
            "first_name": "Ольга",
            "patronymic": "",
            "cabinet": cabinet.pk,
            "role": Role.HEAD,
            "position": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    invitation = StaffInvitation.objects.get(email="from.admin@example.org")
    assert invitation.invited_by == admin_user and invitation.role == Role.HEAD
    assert Notification.objects.filter(key=f"staff-invitation:{invitation.pk}").exists()


def test_the_admin_invite_page_refuses_a_closed_cabinet_beside_the_form(admin_client):
    cabinet = CabinetFactory(is_active=False)
    response = admin_client.post(
        reverse("admin:cabinets_staffinvitation_add"),
        {
            "email": "x@example.org",
            "last_name": "Белова",
            "first_name": "Ольга",
            "cabinet": cabinet.pk,
            "role": Role.HEAD,
        },
    )
    assert response.status_code == 200
    assert "errornote" in response.content.decode()
    assert not StaffInvitation.objects.exists()


def test_the_admins_user_picker_names_people_with_their_email(admin_client):
    person = UserFactory(email="picked@example.org", last_name="Зайцева", first_name="Нина")
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "cabinets", "model_name": "membership", "field_name": "user", "term": "Зайц"},
    )
    texts = [item["text"] for item in response.json()["results"]]
    assert any("Зайцева" in text and "<picked@example.org>" in text for text in texts), texts
    del person


def test_the_cabinet_list_shows_the_head_by_membership(admin_client):
    cabinet = CabinetFactory(name="Отдел с руководителем")
    member(cabinet, Role.HEAD, email="boss@example.org", last_name="Главная")
    html = admin_client.get(reverse("admin:cabinets_cabinet_changelist")).content.decode()
    row = next(r for r in re.findall(r"<tr.*?</tr>", html, re.S) if "Отдел с руководителем" in r)
    assert "Главная" in row and "boss@example.org" in row
