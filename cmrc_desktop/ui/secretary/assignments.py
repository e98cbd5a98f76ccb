"""Who scores which centre: the assignment matrix of experts × centres. (Placeholder until issue #6 builds it.)"""

from __future__ import annotations

from cmrc_desktop.i18n import _
from cmrc_desktop.ui.main_views import MainView


class AssignmentsView(MainView):
    view_id = "assignments"
    icon_name = "assignments"

    def title(self) -> str:
        return _("Assignments")

    def refresh(self) -> None:
        self.summary_label.setText(self.title())
