"""Returned scoresheets: every assigned expert × centre pair with the state of its sheet."""

from __future__ import annotations

from cmrc_desktop.i18n import _
from cmrc_desktop.ui import theme
from cmrc_desktop.ui.main_views import Column, RecordView


class ReturnsView(RecordView):
    view_id = "returns"
    icon_name = "returns"
    columns = (Column(lambda: _("Centre ID")), Column(lambda: _("Centre name")),
               Column(lambda: _("Expert ID")), Column(lambda: _("Expert")),
               Column(lambda: _("Scoresheet"), toned=True),
               Column(lambda: _("Revision"), numeric=True))
    stretch_column = 1

    def title(self) -> str:
        return _("Returns")

    def load(self) -> None:
        from cmrc_desktop.services import status as st
        from cmrc_desktop.services.status import RECEIVED, completeness, state_label
        from cmrc_desktop.storage import centre_repo, expert_repo

        db = self.ws.db
        names = {c.id: c.name for c in centre_repo.list_centres(db)}
        experts = {e.id: e.name for e in expert_repo.list_experts(db)}
        tone = {st.MISSING: theme.BAD, st.DRAFT: theme.ACTIVE, st.RECEIVED: theme.GOOD,
                st.SUPERSEDED: theme.IDLE, st.CONFLICT: theme.BAD}
        ids, rows, keys, tones = [], [], [], []
        received = 0
        for centre_id, statuses in sorted(completeness(self.ws).items()):
            for s in statuses:
                received += s.state == RECEIVED
                revision = "" if s.revision is None else str(s.revision)
                row = (centre_id, names.get(centre_id, ""), s.expert_id,
                       experts.get(s.expert_id, ""), state_label(s.state), revision)
                ids.append(f"{centre_id}/{s.expert_id}")
                rows.append(row)
                keys.append((*row[:5], s.revision))
                tones.append(tone.get(s.state))
        self.model.set_rows(ids, rows, keys, tones=tones)
        self.summary_label.setText(
            _("{received} of {total} assigned scoresheets received").format(
                received=received, total=len(ids)))
