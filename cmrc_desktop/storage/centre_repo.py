"""Centres and their network members."""

from __future__ import annotations

from typing import Any

import sqlite_utils

from cmrc_desktop.domain.errors import NotFoundError
from cmrc_desktop.domain.workspace import Centre, MemberRole, NetworkMember
from cmrc_desktop.i18n import _
from cmrc_desktop.storage.db import utc_now

_COLUMNS = ("id", "name", "level", "field", "sub_field", "host", "province", "city",
            "director", "start_date")


def get_centre(db: sqlite_utils.Database, centre_id: str) -> Centre:
    centre = find_centre(db, centre_id)
    if centre is None:
        raise NotFoundError(_("no centre with id '{id}'").format(id=centre_id))
    return centre


def find_centre(db: sqlite_utils.Database, centre_id: str) -> Centre | None:
    row = next(db.query("SELECT * FROM centres WHERE id = ?", [centre_id]), None)
    return None if row is None else _centre(row, _members(db, centre_id))


def centre_ids(db: sqlite_utils.Database) -> list[str]:
    return [row[0] for row in db.execute("SELECT id FROM centres ORDER BY id")]


def list_centres(db: sqlite_utils.Database) -> list[Centre]:
    members: dict[str, list[NetworkMember]] = {}
    for row in db.query("SELECT * FROM network_members ORDER BY centre_id, rowid"):
        members.setdefault(row["centre_id"], []).append(_member(row))
    return [_centre(row, members.get(row["id"], []))
            for row in db.query("SELECT * FROM centres ORDER BY id")]


def insert_centre(db: sqlite_utils.Database, centre: Centre) -> None:
    with db.atomic():
        db["centres"].insert({**_row(centre), "created_at": utc_now()})
        _insert_members(db, centre)


def update_centre(db: sqlite_utils.Database, centre: Centre) -> None:
    """Replace a centre's fields and its member list (the id stays)."""
    with db.atomic():
        get_centre(db, centre.id)
        row = _row(centre)
        del row["id"]
        db["centres"].update(centre.id, row)
        db.execute("DELETE FROM network_members WHERE centre_id = ?", [centre.id])
        _insert_members(db, centre)


def delete_centre(db: sqlite_utils.Database, centre_id: str) -> None:
    db.execute("DELETE FROM centres WHERE id = ?", [centre_id])


def _insert_members(db: sqlite_utils.Database, centre: Centre) -> None:
    for member in centre.members:
        db.execute("INSERT INTO network_members (centre_id, institution, role) VALUES (?, ?, ?)",
                   [centre.id, member.institution, str(member.role)])


def _members(db: sqlite_utils.Database, centre_id: str) -> list[NetworkMember]:
    return [_member(row) for row in db.query(
        "SELECT * FROM network_members WHERE centre_id = ? ORDER BY rowid", [centre_id])]


def _member(row: dict[str, Any]) -> NetworkMember:
    return NetworkMember(row["institution"], MemberRole(row["role"]))


def _row(centre: Centre) -> dict[str, Any]:
    return {column: getattr(centre, column) for column in _COLUMNS}


def _centre(row: dict[str, Any], members: list[NetworkMember]) -> Centre:
    return Centre(**{column: row[column] for column in _COLUMNS}, members=tuple(members))
