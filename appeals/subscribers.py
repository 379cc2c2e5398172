"""What appeals does when something happens elsewhere (domain events, subscribed in
``AppealsConfig.ready``)."""

from cabinets.models import Cabinet

from .staffing import report_staffless


def cabinet_staff_changed(event):
    """A cabinet's staff changed: if it lost its last head or registrar while holding open
    appeals, the administrator's default cabinet is told (``staffing.report_staffless``)."""
    cabinet = Cabinet.objects.filter(pk=event.cabinet_id).first()
    if cabinet is not None:
        report_staffless(cabinet=cabinet)
