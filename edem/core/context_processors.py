from .municipality import current


def portal(request):
    """Portal-wide values every page needs: its name, the municipality's, the contacts in the
    footer and the map's defaults (``edem.core.municipality``: the admin's settings, else the
    environment)."""
    user = getattr(request, "user", None)
    is_staff_member = bool(user and user.is_authenticated and user.is_cabinet_member)
    municipality = current()
    return {
        "portal_name": municipality.portal_name,
        "municipality_name": municipality.name,
        "municipality_short_name": municipality.short_name,
        "municipality_logo": municipality.logo_url,
        "contact_email": municipality.contact_email,
        "contact_phone": municipality.contact_phone,
        "contact_address": municipality.contact_address,
        "reception_address": municipality.reception_address,
        "user_is_cabinet_member": is_staff_member,
        "map_tiles": municipality.map_tiles_url,
        "map_attribution": municipality.map_attribution,
        "map_center": ",".join(str(x) for x in municipality.map_center),
        "map_zoom": municipality.map_zoom,
    }
