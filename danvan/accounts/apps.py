from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from danvan.lib.scoping import register_scope_resolver


class AccountsConfig(AppConfig):
    name = "danvan.accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # Imported here, not at the top: the scope rule reads models, and Django reads every
        # app's config before it may load any model (the app registry).
        from danvan.accounts.scope import membership_scope

        # lib's scope_for, can and visible_to ask accounts for a user's scope without importing it.
        register_scope_resolver(membership_scope)
