"""The API's reference page: Swagger UI from drf-spectacular-sidecar's files (served by the
portal itself: an intranet has no CDN), in the split form whose start script is a separate
file, so that the portal's CSP (no inline script or style) holds."""

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView


class ApiReference(SpectacularSwaggerSplitView):
    template_name = "integrations/api/reference.html"
    authentication_classes = []
    permission_classes = []
    throttle_classes = []


__all__ = ["ApiReference", "SpectacularAPIView"]
