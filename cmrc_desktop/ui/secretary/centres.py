"""The secretary's centres: every centre of the batch with its level, field, host, experts and documents."""

from __future__ import annotations

from cmrc_desktop.i18n import _, ngettext
from cmrc_desktop.scoring.builtin import catalog
from cmrc_desktop.ui.main_views import Column, RecordView


class CentresView(RecordView):
    view_id = "centres"
    icon_name = "centres"
    columns = (Column(lambda: _("Centre ID")), Column(lambda: _("Centre name")),
               Column(lambda: _("Level")), Column(lambda: _("Disease field")),
               Column(lambda: _("Host institution")), Column(lambda: _("City")),
               Column(lambda: _("Experts assigned"), numeric=True),
               Column(lambda: _("Documents"), numeric=True))
    stretch_column = 4

    def title(self) -> str:
        return _("Centres")

    def load(self) -> None:
        from cmrc_desktop.storage import centre_repo, dossier_repo, expert_repo

        db, cat = self.ws.db, catalog()
        experts: dict[str, int] = {}
        for _expert, centre in expert_repo.list_assignments(db):
            experts[centre] = experts.get(centre, 0) + 1
        ids, rows, keys, tips = [], [], [], []
        for c in centre_repo.list_centres(db):
            level = cat.level(c.level)
            field = cat.field(c.field)
            docs = len(dossier_repo.list_documents(db, c.id))
            row = (c.id, c.name, level.display if level else c.level,
                   field.display if field else c.field, c.host,
                   c.city or c.province, str(experts.get(c.id, 0)), str(docs))
            ids.append(c.id)
            rows.append(row)
            keys.append((*row[:6], experts.get(c.id, 0), docs))
            tips.append(("", c.name, "", c.sub_field, c.host, c.province, "", ""))
        self.model.set_rows(ids, rows, keys, tips)
        self.summary_label.setText(
            ngettext("{n} centre in this batch", "{n} centres in this batch", len(ids))
            .format(n=len(ids)))
