"""Progress: centres × experts with the state of every scoresheet. (Placeholder until issue #6 builds it.)"""

from __future__ import annotations

from cmrc_desktop.i18n import _
from cmrc_desktop.ui.main_views import MainView


class ProgressView(MainView):
    view_id = "progress"
    icon_name = "progress"

    def title(self) -> str:
        return _("Progress")

    def refresh(self) -> None:
        self.summary_label.setText(self.title())
