"""The portal's URLs plus the floor page of bench/throughput.py: the whole middleware stack,
one query, one small template. What any page of this Django costs on this machine now."""

from django.http import HttpResponse
from django.template import engines
from django.urls import include, path
from django.views.decorators.cache import never_cache

from cabinets.models import Cabinet

FLOOR_TEMPLATE = engines["django"].from_string(
    '<!doctype html><html lang="ru"><title>floor</title><p>{{ n }} {{ user.is_authenticated }}</p>'
)


@never_cache  # the floor is rendered every time: the whole-page cache must not serve it
def floor(request):
    n = Cabinet.objects.count()
    return HttpResponse(FLOOR_TEMPLATE.render({"n": n, "user": request.user}, request))


urlpatterns = [path("bench-floor/", floor), path("", include("edem.urls"))]
