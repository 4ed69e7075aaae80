from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CodingConfig(AppConfig):
    name = "legemiddel.coding"
    label = "coding"
    verbose_name = _("Income control (ISF coding)")

    def ready(self) -> None:
        from legemiddel.analytics.measure_kinds import register_kind as register_measure_kind
        from legemiddel.coding.jobs import register_kinds
        from legemiddel.coding.listeners import TOPICS, refresh_after
        from legemiddel.coding.measure import KIND as COMPLETENESS
        from legemiddel.core import outbox
        from legemiddel.core.navigation import NavItem, register_menu_item
        from legemiddel.findings.kinds import FindingKind, register_kind

        register_kinds()
        register_measure_kind(COMPLETENESS)
        outbox.listen("coding.refresh", TOPICS, refresh_after)
        register_kind(
            FindingKind(
                "coding",
                _("Income control (ISF)"),
                _("DIPS episode / administration"),
                categories={
                    "no_episode": _("No episode at all"),
                    "no_drug_code": _("Episode without the drug code"),
                    "no_procedure": _("Drug code without the procedure code"),
                    "no_administration": _("Drug code without an administration"),
                },
            )
        )
        register_menu_item(
            NavItem(
                "findings:worklist",
                _("Work list"),
                _(
                    "Findings to follow up: drugs given without a coded episode, treatment "
                    "started against a decision in Nye metoder."
                ),
                order=520,
            )
        )
        register_menu_item(
            NavItem(
                "coding:overview",
                _("Income control"),
                _("Coding completeness per unit, income at risk and recovered."),
                order=530,
            )
        )
