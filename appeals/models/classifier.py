"""The standard topic classifier of citizens' appeals (R16): every appeal's question carries a
code of it, and the statutory reports count results by code. The codes are data, loaded per
profile by ``manage.py load_classifier`` and editable in the admin."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ClassifierCode(models.Model):
    class Profile(models.TextChoices):
        RU = "ru", _("Russian Federation (59-FZ)")
        UA = "ua", _("Ukraine (Law on citizens' appeals)")

    profile = models.CharField(
        _("profile"),
        max_length=4,
        choices=Profile.choices,
        help_text=_("The legal profile whose classifier this code belongs to."),
    )
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=500)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("classifier code")
        verbose_name_plural = _("classifier codes")
        ordering = ["profile", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "code"],
                name="classifier_code_unique",
                violation_error_message=_("This code is already in the classifier."),
            )
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def level(self):
        """1 for a section, 2 for a theme, 3 for a topic, 4 for a question."""
        return self.code.count(".") + 1
