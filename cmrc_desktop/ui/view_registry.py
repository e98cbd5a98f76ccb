"""Which main views a workspace shows, in sidebar order.

The window lists a view by its spec (id, icon, title) and imports and builds the view
itself only when it is first shown: a secretary's workspace has eight views, and the
window must paint quickly on start-up with only the first of them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cmrc_desktop.i18n import _

if TYPE_CHECKING:
    from cmrc_desktop.ui.main_views import MainView


@dataclass(frozen=True)
class ViewSpec:
    view_id: str
    icon_name: str
    title: Callable[[], str]        # translated when shown
    target: str                     # "package.module:Class"

    def load(self) -> type[MainView]:
        module, _sep, name = self.target.partition(":")
        return getattr(importlib.import_module(module), name)


_S = "cmrc_desktop.ui.secretary"

EXPERT_VIEWS: tuple[ViewSpec, ...] = (
    ViewSpec("my_centres", "my-centres", lambda: _("My centres"),
             "cmrc_desktop.ui.main_views:MyCentresView"),
)

SECRETARY_VIEWS: tuple[ViewSpec, ...] = (
    ViewSpec("batch", "batch", lambda: _("Batch"), f"{_S}.batch:BatchView"),
    ViewSpec("centres", "centres", lambda: _("Centres"), f"{_S}.centres:CentresView"),
    ViewSpec("experts", "experts", lambda: _("Experts"), f"{_S}.experts:ExpertsView"),
    ViewSpec("assignments", "assignments", lambda: _("Assignments"),
             f"{_S}.assignments:AssignmentsView"),
    ViewSpec("returns", "returns", lambda: _("Returns"), f"{_S}.returns:ReturnsView"),
    ViewSpec("progress", "progress", lambda: _("Progress"), f"{_S}.progress:ProgressView"),
    ViewSpec("results", "results", lambda: _("Results"), f"{_S}.results:ResultsView"),
    ViewSpec("audit", "audit", lambda: _("Audit log"), f"{_S}.audit:AuditView"),
)
