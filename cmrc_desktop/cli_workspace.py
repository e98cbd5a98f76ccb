"""Workspace commands of ``cmrc`` (batch, centres, experts, scores, demo)."""

from __future__ import annotations

import argparse


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Filled in as the workspace services arrive."""
