"""`wsctl sandbox reset|info|serve`: the built-in local WorkSpaces backend."""

from __future__ import annotations

import typer

sandbox_app = typer.Typer(
    help="The built-in sandbox: a local WorkSpaces-compatible backend (no AWS account needed).",
    no_args_is_help=True,
)
