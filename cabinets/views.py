import mimetypes

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from edem.accounts.mfa import service_cabinet_required

from . import selectors, services
from .access import cabinets_where, can
from .forms import PublicationFilterForm, PublicationForm
from .models import Cabinet, Publication

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
            "page": _page(request, selectors.cabinet_publications(cabinet), 20),
        },
    )


@service_cabinet_required
def publication_edit(request, code, pk=None):
    cabinet = _member_cabinet(request, code, "cabinets.publish")
    publication = get_object_or_404(cabinet.publications, pk=pk) if pk else None
    form = PublicationForm(request.POST or None, request.FILES or None, instance=publication)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("publish", "image")}
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
        {"cabinet": cabinet, "form": form, "publication": publication},
    )
