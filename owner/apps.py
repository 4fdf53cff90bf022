from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OwnerConfig(AppConfig):
    name = "owner"
    verbose_name = _("The owner's home and reports")
