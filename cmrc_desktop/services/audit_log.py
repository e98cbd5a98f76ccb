"""The audit log as the secretary reads it: narrowed by centre, expert and kind of change,
a page at a time, and exported for an auditor.

The log grows with every score typed (a batch of 150 centres holds about 100,000
entries), so filtering and sorting happen in SQL and the window holds only ids until a
row is shown. The window and ``cmrc audit`` use the same filters.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from cmrc_desktop.domain.workspace import AuditEntry
from cmrc_desktop.exchange.table_file import Stopped, write_table
from cmrc_desktop.i18n import _
from cmrc_desktop.services.workspace import Workspace
from cmrc_desktop.storage import audit, centre_repo, expert_repo
from cmrc_desktop.storage.audit import LogFilter

__all__ = ["LogFilter", "count", "entries", "entry_ids", "export", "headers", "kind_label",
           "kinds", "row", "subjects"]

Progress = Callable[[int, int, str], bool | None]   # return False to cancel

# the columns of the window's table and of an export, with the column each sorts by
COLUMNS = ("at", "actor", "action", "entity", "centre_id", "expert_id", "old", "new",
           "reason", "extra")


def headers() -> tuple[str, ...]:
    return (_("Time (UTC)"), _("Actor"), _("Action"), _("Entity"), _("Centre"), _("Expert"),
            _("Old value"), _("New value"), _("Reason"), _("Details"))


def kind_label(kind: str) -> str:
    """What a kind of change is called in a filter list; an unknown kind is its own
    name (the log may hold kinds of a newer program)."""
    return {
        "assignment": _("assignments"), "batch": _("batch"), "centre": _("centres"),
        "check": _("formal-review checks"), "conflict": _("conflicts of interest"),
        "document": _("documents"), "expert": _("experts"), "keys": _("keys"),
        "merge": _("merges"), "metric": _("metrics"), "opinion": _("written opinions"),
        "package": _("panel packages"), "report": _("reports"), "score": _("scores"),
        "sheet": _("scoresheets"), "veto": _("vetoes"),
    }.get(kind, kind)


def kinds(ws: Workspace) -> list[str]:
    """The kinds of change the log holds ("score" for score.set, score.clear, …)."""
    return sorted({action.split(".", 1)[0] for action in audit.actions(ws.db)})


def subjects(ws: Workspace) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(id, name) of the centres and of the experts to filter by: those of the batch and
    those the log mentions (a removed centre keeps its entries, with no name)."""
    logged_centres, logged_experts = audit.subjects(ws.db)
    centres = {c.id: c.name for c in centre_repo.list_centres(ws.db)}
    experts = {e.id: e.name for e in expert_repo.list_experts(ws.db)}
    return ([(i, centres.get(i, "")) for i in sorted(set(centres) | set(logged_centres))],
            [(i, experts.get(i, "")) for i in sorted(set(experts) | set(logged_experts))])


def count(ws: Workspace, log_filter: LogFilter = LogFilter()) -> int:  # noqa: B008
    return audit.count(ws.db, log_filter)


def entry_ids(ws: Workspace, log_filter: LogFilter = LogFilter(), *,  # noqa: B008
              column: str = "at", descending: bool = True) -> list[int]:
    """The ids of the matching entries in display order; by time means by id (the order
    the entries were written, also within one second)."""
    order = "id" if column == "at" else column
    return audit.entry_ids(ws.db, log_filter, order=order, descending=descending)


def entries(ws: Workspace, ids: Sequence[int]) -> dict[int, AuditEntry]:
    return audit.entries_by_id(ws.db, ids)


def row(entry: AuditEntry) -> tuple[str, ...]:
    """An entry as the text of its cells (``COLUMNS``)."""
    extra = json.dumps(entry.extra, ensure_ascii=False, sort_keys=True) if entry.extra else ""
    return (entry.at.replace("T", " ").rstrip("Z"), entry.actor, entry.action, entry.entity,
            entry.centre_id or "", entry.expert_id or "", entry.old or "", entry.new or "",
            entry.reason, extra)


def export(ws: Workspace, path: str | Path, log_filter: LogFilter = LogFilter(),  # noqa: B008
           *, progress: Progress | None = None) -> int | None:
    """Write the matching entries, oldest first, to ``path`` (CSV in UTF-8 with a BOM, or
    xlsx by the name); returns how many, or None when ``progress`` answered False (then
    no file is written)."""
    total = count(ws, log_filter)
    name = Path(path).name

    def tick(done: int) -> bool:
        return progress is None or progress(done, total, name) is not False

    def rows() -> Iterator[tuple[str, ...]]:
        for entry in audit.iter_entries(ws.db, log_filter):
            yield (str(entry.id), *row(entry))

    try:
        written = write_table(path, (_("No."), *headers()), rows(), title=_("Audit log"),
                              tick=tick)
    except Stopped:
        return None
    if progress is not None:
        progress(written, total, name)
    return written
