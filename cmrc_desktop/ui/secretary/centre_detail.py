"""One centre, opened from the centres table: its details, its dossier documents, its
reported metrics per period and, when the scheme has a formal review (形式审查), the
checklist. Each tab changes the workspace only through a service (audited there)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from cmrc_desktop.domain.workspace import Centre, MemberRole
from cmrc_desktop.i18n import _
from cmrc_desktop.scoring.builtin import catalog
from cmrc_desktop.services.workspace import Workspace
from cmrc_desktop.storage import centre_repo, expert_repo
from cmrc_desktop.ui import theme
from cmrc_desktop.ui.prompts import Prompts
from cmrc_desktop.ui.scoring_form.documents import OpenExternal
from cmrc_desktop.ui.secretary.centre_documents import DocumentsPanel
from cmrc_desktop.ui.secretary.centre_metrics import MetricsPanel
from cmrc_desktop.ui.secretary.centre_review import ReviewPanel


class CentreDetailDialog(QDialog):
    """Tabs: Details, Documents, Metrics, Formal review (only for schemes with checks).

    Signals:
        changed() — a document, a metric value or a check verdict was saved
    """

    changed = Signal()

    def __init__(self, ws: Workspace, centre_id: str, *, prompts: Prompts | None = None,
                 parent: QWidget | None = None,
                 open_external: OpenExternal | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.prompts = prompts or Prompts()
        self.centre = centre_repo.get_centre(ws.db, centre_id)   # NotFoundError: caller
        self.setObjectName("centre_detail_dialog")
        self.setWindowTitle(_("Centre {id}").format(id=centre_id))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        heading = QLabel(self.centre.name, self)
        heading.setFont(theme.heading_font(self.font(), 1.25))
        heading.setWordWrap(True)
        heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        subtitle = QLabel(" · ".join(p for p in (centre_id, _level(self.centre),
                                                 _field(self.centre), self.centre.host) if p),
                          self)
        subtitle.setWordWrap(True)
        theme.set_muted(subtitle)

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("centre_tabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self._details_page(), _("Details"))
        self.documents = DocumentsPanel(ws, centre_id, prompts=self.prompts, parent=self,
                                        open_external=open_external)
        self.metrics = MetricsPanel(ws, centre_id, prompts=self.prompts, parent=self)
        self.tabs.addTab(self.documents, _("Documents"))
        self.tabs.addTab(self.metrics, _("Metrics"))
        self.review: ReviewPanel | None = None
        if ws.scheme.checks:
            self.review = ReviewPanel(ws, centre_id, prompts=self.prompts, parent=self)
            self.tabs.addTab(self.review, _("Formal review"))
            self.review.changed.connect(self._on_panel_changed)
        self.documents.changed.connect(self._on_panel_changed)
        self.metrics.changed.connect(self._on_panel_changed)
        self._update_tab_titles()

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(subtitle)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)
        self.resize(880, 620)

    def show_tab(self, panel: QWidget) -> None:
        self.tabs.setCurrentWidget(panel)

    # -- details -----------------------------------------------------------------------
    def _details_page(self) -> QWidget:
        c = self.centre
        page = QWidget()
        form = QFormLayout(page)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setContentsMargins(12, 12, 12, 12)
        place = "　".join(p for p in (c.province, c.city) if p)
        experts = []
        for expert_id, _centre in expert_repo.list_assignments(self.ws.db, centre_id=c.id):
            expert = expert_repo.find_expert(self.ws.db, expert_id)
            experts.append(f"{expert.name} ({expert_id})" if expert else expert_id)
        rows = [(_("Centre ID"), c.id), (_("Centre name"), c.name), (_("Level"), _level(c)),
                (_("Disease field"), _field(c)), (_("Clinical specialty"), c.sub_field),
                (_("Host institution"), c.host), (_("Province and city"), place),
                (_("Director"), c.director), (_("Construction start date"), c.start_date)]
        for role, title in ((MemberRole.CORE, _("Core members")),
                            (MemberRole.MEMBER, _("Network members")),
                            (MemberRole.PROMOTION, _("Promotion-network members"))):
            members = [m.institution for m in c.members if m.role == role]
            rows.append((title, "\n".join(members)))
        rows.append((_("Experts assigned"), ", ".join(experts)))
        for name, value in rows:
            shown = QLabel(value or "—")
            shown.setWordWrap(True)
            shown.setTextFormat(Qt.TextFormat.PlainText)
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            if not value:
                theme.set_muted(shown)
            form.addRow(name, shown)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(page)
        return scroll

    def details(self) -> dict[str, str]:
        """The Details tab as label → text (tests, screen readers)."""
        page = self.tabs.widget(0).widget()
        form: QFormLayout = page.layout()
        out = {}
        for row in range(form.rowCount()):
            name = form.itemAt(row, QFormLayout.ItemRole.LabelRole).widget()
            value = form.itemAt(row, QFormLayout.ItemRole.FieldRole).widget()
            out[name.text()] = value.text()
        return out

    # -- changes -------------------------------------------------------------------------
    @Slot()
    def _on_panel_changed(self) -> None:
        self._update_tab_titles()
        self.changed.emit()

    def _update_tab_titles(self) -> None:
        count = self.documents.count()
        self.tabs.setTabText(self.tabs.indexOf(self.documents),
                             _("Documents ({n})").format(n=count))

    def done(self, result: int) -> None:
        """Closing with metric values typed but not saved asks first."""
        if self.metrics.has_unsaved_edits():
            def answered(discard: bool) -> None:
                if discard:
                    self.metrics.discard()
                    super(CentreDetailDialog, self).done(result)
            self.prompts.confirm(self, _("Metric values not saved"), _(
                "Some metric values you typed are not saved. Close and discard them?"),
                answered)
            return
        super().done(result)


def _level(centre: Centre) -> str:
    level = catalog().level(centre.level)
    return level.display if level else centre.level


def _field(centre: Centre) -> str:
    field = catalog().field(centre.field)
    return field.display if field else centre.field
