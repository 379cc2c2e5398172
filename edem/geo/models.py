from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .shapes import shape_from_geojson


class Territory(models.Model):
    """A part of the municipality: a district, a settlement or a microdistrict.

    The boundary is a GeoJSON Polygon or MultiPolygon in WGS 84 (lon, lat order, as GeoJSON
    says). Containment is computed with shapely; see ``edem.geo.lookup``.
    """

    class Kind(models.TextChoices):
        DISTRICT = "district", pgettext_lazy("territory kind", "District")
        SETTLEMENT = "settlement", pgettext_lazy("territory kind", "Settlement")
        MICRODISTRICT = "microdistrict", pgettext_lazy("territory kind", "Microdistrict")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.DISTRICT)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    boundary = models.JSONField(
        _("boundary (GeoJSON)"),
        null=True,
        blank=True,
        help_text=_("A GeoJSON Polygon or MultiPolygon in longitude/latitude (WGS 84)."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("territory")
        verbose_name_plural = _("territories")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["district", "settlement", "microdistrict"]),
                name="territory_kind_valid",
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.boundary:
            try:
                shape_from_geojson(self.boundary)
            except ValueError as exc:
                raise ValidationError({"boundary": str(exc)}) from exc
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk and self.pk is not None:
                raise ValidationError({"parent": _("A territory cannot be part of itself.")})
            ancestor = ancestor.parent
