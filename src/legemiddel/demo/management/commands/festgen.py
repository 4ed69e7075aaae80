"""``legemiddel festgen OUT``: write a synthetic FEST file (the demo catalogue or a full-size one)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from legemiddel.demo import festgen


class Command(BaseCommand):
    help = (
        "Write a FEST M30 file: the demo catalogue (--demo, from demo/data/legemidler.csv) or a "
        "full-size synthetic one for benchmarks (--packages N). .zip output holds one .xml."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("out", type=Path, help="Output file (.xml or .zip).")
        parser.add_argument("--demo", action="store_true", help="Write the demo catalogue.")
        parser.add_argument("--packages", type=int, default=11_500, help="Synthetic packages.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (synthetic).")

    def handle(self, *args: Any, out: Path, demo: bool, packages: int, seed: int, **_: Any) -> None:
        catalogue = (
            festgen.demo_catalogue()
            if demo
            else festgen.synthetic_catalogue(packages=packages, seed=seed)
        )
        size = festgen.write_file(catalogue, out)
        self.stdout.write(
            f"{out}: {len(catalogue.packages)} pakninger, {size:,} byte".replace(",", " ")
        )
