"""The ``revintel pricing`` command group the pricing command modules register on."""

from __future__ import annotations

import typer

from revintel.cli import app

pricing_app = typer.Typer(
    help="Prices: waterfall and leakage, price bands, price response, deal guidance.",
    no_args_is_help=True,
)
app.add_typer(pricing_app, name="pricing")
