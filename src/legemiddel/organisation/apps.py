from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationConfig(AppConfig):
    name = "legemiddel.organisation"
    label = "organisation"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from legemiddel.accounts.oidc.claims import register_unit_sync
        from legemiddel.core.navigation import NavItem, register_menu_item
        from legemiddel.organisation.jobs import register_kinds
        from legemiddel.organisation.services import membership_sync

        register_kinds()
        # Unit codes in the identity provider's claims become unit memberships at login.
        register_unit_sync(membership_sync)
        for order, (url_name, label, description) in enumerate(
            [
                (
                    "organisation:tree",
                    _("Organisation"),
                    _(
                        "Clinics, departments and units of the trust, with cost centres and leaders."
                    ),
                ),
                (
                    "organisation:personnel",
                    _("Health personnel"),
                    _("Prescribers and other health personnel by HPR number and workplace."),
                ),
                (
                    "organisation:sites",
                    _("Health community"),
                    _("Municipalities, GP offices, contract specialists and nursing homes."),
                ),
            ]
        ):
            register_menu_item(NavItem(url_name, label, description, order=600 + order))
