from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .shapes import shape_from_geojson
from .validation import check_inside, check_no_overlap, check_rings, named_shapes, parent_shape


class Territory(models.Model):
    """A part of the municipality: a district, a settlement or a microdistrict.

    The boundary is a GeoJSON Polygon or MultiPolygon in WGS 84 (lon, lat order, as GeoJSON
    says). Containment is computed with shapely; see ``edem.geo.lookup``.
    """

    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", pgettext_lazy("territory kind", "Whole municipality")
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
                condition=models.Q(
                    kind__in=["municipality", "district", "settlement", "microdistrict"]
                ),
                name="territory_kind_valid",
                violation_error_message=_("Choose one of the listed kinds of territory."),
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk and self.pk is not None:
                raise ValidationError({"parent": _("A territory cannot be part of itself.")})
            ancestor = ancestor.parent
        if not self.boundary:
            return
        try:
            check_rings(self.boundary)
            geom = shape_from_geojson(self.boundary)
        except ValidationError as exc:
            raise ValidationError({"boundary": exc.messages}) from exc
        except ValueError as exc:
            raise ValidationError({"boundary": str(exc)}) from exc
        same_kind = Territory.objects.filter(kind=self.kind, boundary__isnull=False)
        if self.pk is not None:
            same_kind = same_kind.exclude(pk=self.pk)
        outer = parent_shape(self.parent)
        try:
            if outer is not None:
                check_inside(geom, outer, str(self.parent))
            check_no_overlap(geom, named_shapes(same_kind.values_list("name", "boundary")))
        except ValidationError as exc:
            raise ValidationError({"boundary": exc.messages}) from exc
