"""What appeals does when something happens elsewhere (domain events, subscribed in
``AppealsConfig.ready``)."""

from cabinets.models import Cabinet

from .models import AppealEvent
from .services.new_work import tell_officials
from .staffing import report_staffless


def cabinet_staff_changed(event):
    """A cabinet's staff changed: if it lost its last head or registrar while holding open
    appeals, the administrator's default cabinet is told (``staffing.report_staffless``)."""
    cabinet = Cabinet.objects.filter(pk=event.cabinet_id).first()
    if cabinet is not None:
        report_staffless(cabinet=cabinet)


def new_work(event):
    """An appeal arrived in a cabinet's queue or was assigned: tell the officials whose work it
    is (``services.new_work``)."""
    line = AppealEvent.objects.select_related("appeal__cabinet").filter(pk=event.history_id).first()
    if line is not None:
        tell_officials(line)
