"""The batch at a glance: its name, kind, stage and scheme. (Placeholder until issue #6 builds it.)"""

from __future__ import annotations

from cmrc_desktop.i18n import _
from cmrc_desktop.ui.main_views import MainView


class BatchView(MainView):
    view_id = "batch"
    icon_name = "batch"

    def title(self) -> str:
        return _("Batch")

    def refresh(self) -> None:
        self.summary_label.setText(self.title())
