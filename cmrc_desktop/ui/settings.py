"""The program's per-user settings: one QSettings wrapper, each key declared once.

Preferences (``preferences/…``) are kept apart from what the window remembers by itself
(``window/…``, ``history/…``), so "reset the window" never touches a choice the user made.
Scores, schemes and everything else of an evaluation live in the workspace's SQLite
database, never here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QByteArray, QSettings

ORGANIZATION = "CMRC"
APPLICATION = "CMRC Desktop"
MAX_RECENT = 8

T = TypeVar("T")


@dataclass(frozen=True)
class Key(Generic[T]):
    """One setting: where it is stored, its type and its value when unset."""

    name: str
    type: type
    default: T


LANGUAGE: Key[str] = Key("preferences/language", str, "")            # "" = not chosen
REOPEN_LAST: Key[bool] = Key("preferences/reopen_last_workspace", bool, True)
RECENT_WORKSPACES: Key[list] = Key("history/recent_workspaces", list, [])
LAST_FOLDER: Key[str] = Key("history/last_folder", str, "")
WINDOW_GEOMETRY: Key[QByteArray] = Key("window/geometry", QByteArray, QByteArray())
WINDOW_STATE: Key[QByteArray] = Key("window/state", QByteArray, QByteArray())
SIDEBAR_WIDTH: Key[int] = Key("window/sidebar_width", int, 0)

KEYS: tuple[Key[Any], ...] = (LANGUAGE, REOPEN_LAST, RECENT_WORKSPACES, LAST_FOLDER,
                              WINDOW_GEOMETRY, WINDOW_STATE, SIDEBAR_WIDTH)


class Settings:
    """Typed access to QSettings. ``Settings()`` uses the platform's usual place for the
    organisation and application names set by ``create_app``; ``Settings(path)`` an INI
    file (tests, portable installs)."""

    def __init__(self, path: str | Path | None = None) -> None:
        if path is None:
            self._q = QSettings(ORGANIZATION, APPLICATION)
        else:
            self._q = QSettings(str(path), QSettings.Format.IniFormat)

    @property
    def qsettings(self) -> QSettings:
        return self._q

    def get(self, key: Key[T]) -> T:
        if not self._q.contains(key.name):
            return _copy(key.default)
        try:
            value = self._q.value(key.name, _copy(key.default), type=key.type)
        except (TypeError, ValueError):  # a value of another type: hand-edited or older
            return _copy(key.default)
        if key.type is list:
            value = [str(v) for v in (value or []) if v]
        return value  # type: ignore[return-value]

    def set(self, key: Key[T], value: T) -> None:
        if not isinstance(value, key.type):
            raise TypeError(f"setting {key.name} takes {key.type.__name__}, "
                            f"not {type(value).__name__}")
        self._q.setValue(key.name, value)

    def reset(self, key: Key[Any]) -> None:
        self._q.remove(key.name)

    def sync(self) -> None:
        self._q.sync()

    # -- recent workspaces -----------------------------------------------------------
    def recent_workspaces(self) -> list[str]:
        return self.get(RECENT_WORKSPACES)[:MAX_RECENT]

    def add_recent_workspace(self, folder: str | Path) -> list[str]:
        """Put ``folder`` first (once), keep at most ``MAX_RECENT``; returns the list."""
        path = _normal(folder)
        recent = [p for p in self.recent_workspaces() if _normal(p) != path]
        recent = [path, *recent][:MAX_RECENT]
        self.set(RECENT_WORKSPACES, recent)
        return recent

    def remove_recent_workspace(self, folder: str | Path) -> list[str]:
        path = _normal(folder)
        recent = [p for p in self.recent_workspaces() if _normal(p) != path]
        self.set(RECENT_WORKSPACES, recent)
        return recent

    def clear_recent_workspaces(self) -> None:
        self.set(RECENT_WORKSPACES, [])


def _normal(folder: str | Path) -> str:
    return str(Path(folder).expanduser().absolute())


def _copy(value: T) -> T:
    if isinstance(value, list):
        return list(value)  # type: ignore[return-value]
    if isinstance(value, QByteArray):
        return QByteArray(value)  # type: ignore[return-value]
    return value
