"""The audit log of the workspace. (Placeholder until issue #6 builds it.)"""

from __future__ import annotations

from cmrc_desktop.i18n import _
from cmrc_desktop.ui.main_views import MainView


class AuditView(MainView):
    view_id = "audit"
    icon_name = "audit"

    def title(self) -> str:
        return _("Audit log")

    def refresh(self) -> None:
        self.summary_label.setText(self.title())
