"""Results: final score, grade, rank and flags of every centre, graded from the merged sheets."""

from __future__ import annotations

from cmrc_desktop.i18n import _
from cmrc_desktop.ui.main_views import Column, RecordView


class ResultsView(RecordView):
    view_id = "results"
    icon_name = "results"
    columns = (Column(lambda: _("Rank"), numeric=True), Column(lambda: _("Centre ID")),
               Column(lambda: _("Centre name")), Column(lambda: _("Final score"), numeric=True),
               Column(lambda: _("Grade")), Column(lambda: _("Flags")))
    stretch_column = 2

    def title(self) -> str:
        return _("Results")

    def load(self) -> None:
        from cmrc_desktop.exchange.report_data import flag_label, flag_text
        from cmrc_desktop.services.results import grade_workspace
        from cmrc_desktop.storage import centre_repo

        result = grade_workspace(self.ws)
        scheme = result.scheme
        names = {c.id: c.name for c in centre_repo.list_centres(self.ws.db)}
        ids, rows, keys, tips = [], [], [], []
        for c in result.centres:
            final = "" if c.final_rounded is None else format(c.final_rounded, "f")
            grade = c.grade.display if c.grade else ""
            rank = "" if c.rank is None else str(c.rank)
            row = (rank, c.centre, names.get(c.centre, ""), final, grade,
                   ", ".join(flag_label(f) for f in c.flags))
            ids.append(c.centre)
            rows.append(row)
            keys.append((c.rank, c.centre, row[2],
                         None if c.final_rounded is None else float(c.final_rounded),
                         grade, row[5]))
            tips.append(("", "", "", "", "", "\n".join(flag_text(f, scheme) for f in c.flags)))
        self.model.set_rows(ids, rows, keys, tips)
        graded = sum(1 for c in result.centres if c.final_rounded is not None)
        self.summary_label.setText(
            _("Scheme: {scheme}  ·  {graded} of {total} centres graded from the received "
              "scoresheets").format(scheme=scheme.display or scheme.id,
                                    graded=graded, total=len(result.centres)))
