"""The Chinese interface for document tests, with the test's own table of translations
laid over the real catalogue (the tests check words they name themselves, whatever the
catalogue's wording becomes)."""

from __future__ import annotations

import contextlib
import gettext
from collections.abc import Iterator

from cmrc_desktop import i18n


class _Overlay(gettext.NullTranslations):
    def __init__(self, table: dict[str, str], fallback: gettext.NullTranslations) -> None:
        super().__init__()
        self._table = table
        self.add_fallback(fallback)

    def gettext(self, message: str) -> str:
        return self._table.get(message) or super().gettext(message)


@contextlib.contextmanager
def chinese(table: dict[str, str]) -> Iterator[None]:
    i18n.set_language("zh_CN")
    i18n._translation = _Overlay(table, i18n._translation)
    try:
        yield
    finally:
        i18n.set_language("en")
