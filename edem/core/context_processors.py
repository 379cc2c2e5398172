from django.conf import settings
from django.utils.translation import gettext as _

from edem.geo import basemap


def portal(request):
    """Portal-wide values every page needs: its name and the contacts in the footer."""
    user = getattr(request, "user", None)
    is_staff_member = bool(user and user.is_authenticated and user.is_cabinet_member)
    return {
        "portal_name": settings.EDEM_PORTAL_NAME or _("edem: e-democracy portal"),
        "municipality_name": settings.EDEM_MUNICIPALITY_NAME,
        "contact_email": settings.EDEM_CONTACT_EMAIL,
        "contact_phone": settings.EDEM_CONTACT_PHONE,
        "contact_address": settings.EDEM_CONTACT_ADDRESS,
        "user_is_cabinet_member": is_staff_member,
        "map_tiles": basemap.tiles_url(),
        "map_attribution": basemap.tiles_attribution(),
        "map_center": ",".join(str(x) for x in settings.EDEM_MAP_CENTER),
        "map_zoom": settings.EDEM_MAP_ZOOM,
    }
