from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    name = "legemiddel.agreements"
    label = "agreements"
    verbose_name = _("LIS agreements")

    def ready(self) -> None:
        from legemiddel.agreements.request_selectors import price_requests_panel
        from legemiddel.agreements.selectors import attention_for
        from legemiddel.core.navigation import (
            NavItem,
            StartPanel,
            register_menu_item,
            register_start_panel,
        )

        register_menu_item(
            NavItem(
                "agreements:portal",
                _("Drug portal"),
                _(
                    "The LIS recommendations in force: first choices per area, from when, "
                    "what is next."
                ),
                order=200,
            )
        )
        register_menu_item(
            NavItem(
                "agreements:register",
                _("LIS agreements"),
                _("Register, import and publish agreements; price access and notices."),
                order=300,
            )
        )
        register_start_panel(
            StartPanel("agreements_attention", "agreements/_attention.html", attention_for, 100)
        )
        register_start_panel(
            StartPanel(
                "agreements_price_requests",
                "agreements/_price_requests.html",
                price_requests_panel,
                110,
            )
        )
