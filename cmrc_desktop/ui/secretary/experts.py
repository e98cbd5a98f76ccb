"""The secretary's experts: the panel with institution, title, specialty, assignments and conflicts of interest."""

from __future__ import annotations

from cmrc_desktop.i18n import _, ngettext
from cmrc_desktop.ui.main_views import Column, RecordView


class ExpertsView(RecordView):
    view_id = "experts"
    icon_name = "experts"
    columns = (Column(lambda: _("Expert ID")), Column(lambda: _("Name")),
               Column(lambda: _("Institution")), Column(lambda: _("Professional title")),
               Column(lambda: _("Specialty")), Column(lambda: _("Centres assigned"), numeric=True),
               Column(lambda: _("Conflicts of interest"), numeric=True))
    stretch_column = 2

    def title(self) -> str:
        return _("Experts")

    def load(self) -> None:
        from cmrc_desktop.storage import expert_repo

        db = self.ws.db
        assigned: dict[str, int] = {}
        for expert, _centre in expert_repo.list_assignments(db):
            assigned[expert] = assigned.get(expert, 0) + 1
        conflicts: dict[str, list[str]] = {}
        for c in expert_repo.list_conflicts(db):
            conflicts.setdefault(c.expert_id, []).append(f"{c.centre_id}: {c.reason}")
        ids, rows, keys, tips = [], [], [], []
        for e in expert_repo.list_experts(db):
            n, k = assigned.get(e.id, 0), len(conflicts.get(e.id, []))
            row = (e.id, e.name, e.institution, e.title, e.specialty, str(n), str(k))
            ids.append(e.id)
            rows.append(row)
            keys.append((*row[:5], n, k))
            tips.append(("", "", e.institution, "", e.specialty, "",
                         "\n".join(conflicts.get(e.id, []))))
        self.model.set_rows(ids, rows, keys, tips)
        self.summary_label.setText(
            ngettext("{n} expert on the panel", "{n} experts on the panel", len(ids))
            .format(n=len(ids)))
