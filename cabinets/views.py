import mimetypes
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model, logout
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from edem.accounts.mfa import service_cabinet_required
from edem.accounts.selectors import find_people
from edem.accounts.services import VerificationRefused

from . import selectors, services
from .access import cabinets_where, can
from .forms import (
    AcceptInvitationForm,
    InviteForm,
    PersonSearchForm,
    PublicationFilterForm,
    PublicationForm,
    ResidentVerificationForm,
    RoleForm,
)
from .models import Cabinet, Membership, Publication
from .roles import Role

PAGE_SIZE = 12


def _page(request, queryset, size=PAGE_SIZE):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


# --- Public ------------------------------------------------------------------------


def publication_list(request):
    form = PublicationFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    publications = selectors.public_publications(
        cabinet=filters.get("cabinet"),
        territory=filters.get("territory"),
        kind=filters.get("kind"),
        query=filters.get("q"),
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cabinets/publication_list.html",
        {"form": form, "page": _page(request, publications), "query": query.urlencode()},
    )


def publication_detail(request, pk):
    publication = get_object_or_404(
        Publication.objects.published().select_related("cabinet", "territory"), pk=pk
    )
    return render(request, "cabinets/publication_detail.html", {"publication": publication})


def publication_image(request, pk):
    """The image of a published publication, read through the storage (the local disk or the
    object store), so that the page never holds a storage URL that could expire."""
    publication = get_object_or_404(Publication.objects.published().exclude(image=""), pk=pk)
    try:
        handle = publication.image.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    content_type = mimetypes.guess_type(publication.image.name)[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "public, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def cabinet_list(request):
    return render(request, "cabinets/cabinet_list.html", {"cabinets": selectors.public_cabinets()})


def cabinet_detail(request, code):
    cabinet = get_object_or_404(selectors.public_cabinets(), code=code)
    latest = selectors.public_publications(cabinet=cabinet)[:5]
    return render(request, "cabinets/cabinet_detail.html", {"cabinet": cabinet, "latest": latest})


# --- Service cabinet -----------------------------------------------------------------


def _member_cabinet(request, code, perm="cabinets.view_cabinet_work"):
    cabinet = get_object_or_404(Cabinet.objects.active(), code=code)
    if not can(request.user, perm, cabinet):
        if can(request.user, "cabinets.view_cabinet_work", cabinet):
            raise PermissionDenied(_("Your role in this cabinet does not allow this."))
        raise Http404
    return cabinet


@service_cabinet_required
def service_home(request):
    memberships = list(selectors.memberships_of(request.user))
    return render(
        request,
        "cabinets/service/home.html",
        {
            "memberships": memberships,
            # R12: registrars (and heads) send the cabinet's outgoing mail.
            "can_post": cabinets_where(request.user, "cabinets.register_appeal").exists(),
        },
    )


@service_cabinet_required
def service_cabinet(request, code):
    cabinet = _member_cabinet(request, code)
    roles = [m for m in selectors.memberships_of(request.user) if m.cabinet_id == cabinet.pk]
    return render(
        request,
        "cabinets/service/cabinet.html",
        {
            "cabinet": cabinet,
            "roles": roles,
            "colleagues": roles[0].cabinet.active_members if roles else [],
            "can_publish": can(request.user, "cabinets.publish", cabinet),
            "can_see_dashboard": can(request.user, "cabinets.sign_answer", cabinet),
            "can_verify_residents": can(request.user, "cabinets.verify_residents", cabinet),
            "can_manage_staff": can(request.user, "cabinets.manage_members", cabinet),
            "page": _page(request, selectors.cabinet_publications(cabinet), 20),
        },
    )


@service_cabinet_required
def publication_edit(request, code, pk=None):
    cabinet = _member_cabinet(request, code, "cabinets.publish")
    publication = get_object_or_404(cabinet.publications, pk=pk) if pk else None
    form = PublicationForm(request.POST or None, request.FILES or None, instance=publication)
    if request.method == "POST" and form.is_valid():
        data = {
            k: v
            for k, v in form.cleaned_data.items()
            if k in form.plain_fields and k not in ("publish", "image")
        }
        data.update(form.columns())
        if "image" in form.changed_data:
            data["image"] = form.cleaned_data["image"] or None
        saved = services.save_publication(
            actor=request.user,
            cabinet=cabinet,
            publication=publication,
            publish=form.cleaned_data["publish"],
            **data,
        )
        messages.success(
            request,
            _("The publication is published.")
            if saved.status == Publication.Status.PUBLISHED
            else _("The draft is saved."),
        )
        return redirect("service:cabinet", code=cabinet.code)
    return render(
        request,
        "cabinets/service/publication_form.html",
        {
            "cabinet": cabinet,
            "form": form,
            "publication": publication,
            "can_unpublish": publication is not None
            and publication.status == Publication.Status.PUBLISHED,
        },
    )


@service_cabinet_required
def publication_unpublish(request, code, pk):
    """Take a published item off the site: a page that asks first, then the service on POST."""
    cabinet = _member_cabinet(request, code, "cabinets.publish")
    publication = get_object_or_404(
        cabinet.publications.filter(status=Publication.Status.PUBLISHED), pk=pk
    )
    if request.method == "POST":
        services.unpublish(actor=request.user, publication=publication)
        messages.success(request, _("The publication is taken off the site and kept as a draft."))
        return redirect("service:cabinet", code=cabinet.code)
    return render(
        request,
        "cabinets/service/publication_unpublish.html",
        {"cabinet": cabinet, "publication": publication},
    )


# --- In-person verification of residents (R30) -------------------------------------------


@service_cabinet_required
def residents(request, code):
    """The registrar finds a person by e-mail or name, to verify them in person."""
    cabinet = _member_cabinet(request, code, "cabinets.verify_residents")
    form = PersonSearchForm(request.GET or None)
    page = None
    if form.is_valid():
        page = _page(request, find_people(form.cleaned_data["q"]), 20)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cabinets/service/residents.html",
        {"cabinet": cabinet, "form": form, "page": page, "query": query.urlencode()},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@service_cabinet_required
def verify_resident(request, code, user_id):
    """The registrar records the identity document seen and verifies the person (R30); the
    number is kept only as a keyed hash (R18)."""
    cabinet = _member_cabinet(request, code, "cabinets.verify_residents")
    person = get_object_or_404(get_user_model().objects.filter(is_active=True), pk=user_id)
    form = ResidentVerificationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.verify_resident_in_person(
                    actor=request.user,
                    cabinet=cabinet,
                    user=person,
                    document_kind=data["document_kind"],
                    document_number=data["document_number"],
                )
            except VerificationRefused as exc:
                form.add_error(exc.field, exc.message)
            else:
                messages.success(
                    request,
                    _("%(person)s is verified as a resident; they are told by e-mail.")
                    % {"person": person.full_name or person.email},
                )
                return redirect("service:residents", code=cabinet.code)
    return render(
        request,
        "cabinets/service/verify_resident.html",
        {"cabinet": cabinet, "person": person, "form": form},
        status=status,
    )


# --- Staff: the head's screen, and the invitation link ------------------------------


def _staff_page(request, cabinet, invite_form=None, status=200):
    return render(
        request,
        "cabinets/service/staff.html",
        {
            "cabinet": cabinet,
            "staff": selectors.cabinet_staff(cabinet),
            "invitations": selectors.pending_invitations(cabinet),
            "history": selectors.staff_history(cabinet),
            "invite_form": invite_form or InviteForm(),
            "role_choices": Role.choices,
        },
        status=status,
    )


@service_cabinet_required
def staff(request, code):
    """The head's list of the cabinet's staff (e-mail, role, second factor), the pending
    invitations, and the form to invite someone."""
    cabinet = _member_cabinet(request, code, "cabinets.manage_members")
    return _staff_page(request, cabinet)


@require_POST
@service_cabinet_required
def staff_invite(request, code):
    cabinet = _member_cabinet(request, code, "cabinets.manage_members")
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            invitation = services.invite_official(
                actor=request.user, cabinet=cabinet, **form.cleaned_data
            )
        except services.CabinetError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("The invitation is sent to %(email)s.") % {"email": invitation.email},
            )
            return redirect("service:staff", code=cabinet.code)
    return _staff_page(request, cabinet, invite_form=form, status=400)


@require_POST
@service_cabinet_required
def staff_change_role(request, code, pk):
    cabinet = _member_cabinet(request, code, "cabinets.manage_members")
    membership = get_object_or_404(Membership.objects.active(), pk=pk, cabinet=cabinet)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the listed roles."))
    else:
        try:
            services.change_role(
                membership=membership, role=form.cleaned_data["role"], actor=request.user
            )
        except services.CabinetError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The role is changed."))
    return redirect("service:staff", code=cabinet.code)


@require_POST
@service_cabinet_required
def staff_end(request, code, pk):
    cabinet = _member_cabinet(request, code, "cabinets.manage_members")
    membership = get_object_or_404(Membership.objects.active(), pk=pk, cabinet=cabinet)
    try:
        services.end_membership(membership=membership, actor=request.user)
    except services.CabinetError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The membership is ended."))
    return redirect("service:staff", code=cabinet.code)


@require_POST
@service_cabinet_required
def staff_revoke(request, code, pk):
    cabinet = _member_cabinet(request, code, "cabinets.manage_members")
    invitation = get_object_or_404(cabinet.invitations, pk=pk)
    try:
        services.revoke_invitation(invitation=invitation, actor=request.user)
    except services.CabinetError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The invitation is withdrawn."))
    return redirect("service:staff", code=cabinet.code)


def invitation(request, token):
    """The link in the invitation mail: choose a password (once, before it expires). A link
    already used, withdrawn or expired is refused with a page that says which and what to
    do. Signed-in visitors are signed out first: the password is for the invited person."""
    try:
        invitation = services.invitation_for(token)
    except services.InvitationRefused as refusal:
        return render(
            request,
            "cabinets/invitation_refused.html",
            {"reason": refusal.reason, "message": str(refusal)},
            status=410 if refusal.reason in ("used", "expired", "revoked") else 404,
        )
    form = AcceptInvitationForm(request.POST or None, invitation=invitation)
    if request.method == "POST" and form.is_valid():
        try:
            services.accept_invitation(token=token, password=form.cleaned_data["password1"])
        except services.InvitationRefused as refusal:
            return render(
                request,
                "cabinets/invitation_refused.html",
                {"reason": refusal.reason, "message": str(refusal)},
                status=410,
            )
        if request.user.is_authenticated:
            logout(request)
        messages.success(
            request,
            _(
                "Your password is set and your e-mail address confirmed. Sign in now: you will "
                "then set up the authenticator app that protects the service cabinet."
            ),
        )
        query = urlencode({"next": reverse("service:home")})
        return redirect(f"{reverse('account_login')}?{query}")
    return render(
        request,
        "cabinets/invitation_accept.html",
        {"invitation": invitation, "form": form},
        status=400 if form.is_bound else 200,
    )
