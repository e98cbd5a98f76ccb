"""One translation mechanism for the command line, the window and exported documents.

Messages are written in English in the code (gettext msgids) and translated through
``resources/locale/<lang>/LC_MESSAGES/cmrc.mo``. Chinese is the default language: a user
who sets nothing sees Chinese. ``CMRC_LANG`` (or ``--lang``) selects ``en``.
"""

from __future__ import annotations

import gettext as _gettext
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from cmrc_desktop.paths import locale_dir

DOMAIN = "cmrc"
DEFAULT_LANGUAGE = "zh_CN"
LANGUAGES = ("zh_CN", "en")

_translation: _gettext.NullTranslations = _gettext.NullTranslations()
_language = "en"
# A signed document is drawn in the language it was signed in, whatever the reader's
# language; the override is per thread, so a merge verifying an English sheet on a worker
# thread never turns the window's labels English.
_local = threading.local()


def set_language(lang: str | None = None) -> str:
    """Select the language for every later ``_()`` call; returns the one chosen."""
    global _translation, _language
    lang = lang or os.environ.get("CMRC_LANG") or DEFAULT_LANGUAGE
    lang = {"zh": "zh_CN", "zh-CN": "zh_CN", "zh_cn": "zh_CN", "en_US": "en", "en-US": "en"}.get(
        lang, lang
    )
    if lang not in LANGUAGES:
        lang = DEFAULT_LANGUAGE
    _translation = _catalogue(lang)
    _language = lang
    return lang


_catalogues: dict[str, _gettext.NullTranslations] = {}


def _catalogue(lang: str) -> _gettext.NullTranslations:
    found = _catalogues.get(lang)
    if found is None:
        found = _catalogues[lang] = _gettext.NullTranslations() if lang == "en" else \
            _gettext.translation(DOMAIN, locale_dir(), languages=[lang], fallback=True)
    return found


def known_language(lang: str) -> bool:
    return lang in LANGUAGES


@contextmanager
def speaking(lang: str) -> Iterator[str]:
    """Every ``_()`` of this thread in ``lang`` inside the block (documents are drawn in
    the language they were signed in); an unknown language raises ``ValueError``."""
    if lang not in LANGUAGES:
        raise ValueError(lang)
    before = getattr(_local, "speaking", None)
    _local.speaking = (lang, _catalogue(lang))
    try:
        yield lang
    finally:
        _local.speaking = before


def language() -> str:
    override = getattr(_local, "speaking", None)
    return override[0] if override else _language


def is_chinese() -> bool:
    return language().startswith("zh")


def _(message: str) -> str:
    override = getattr(_local, "speaking", None)
    return (override[1] if override else _translation).gettext(message)


def N_(message: str) -> str:
    """Mark a message for translation without translating it now: for stored data that
    is shown later with ``_()`` in the language of the moment."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    override = getattr(_local, "speaking", None)
    return (override[1] if override else _translation).ngettext(singular, plural, n)


def pick(zh: str, en: str | None) -> str:
    """Choose between the Chinese and English form of data (names in schemes, catalog)."""
    if is_chinese() or not en:
        return zh
    return en


set_language()


class Bilingual:
    """Mixin for data named in both languages (``name`` and ``name_en``)."""

    name: str
    name_en: str

    @property
    def display(self) -> str:
        return pick(self.name, self.name_en)
