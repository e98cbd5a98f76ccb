"""One translation mechanism for the command line, the window and exported documents.

Messages are written in English in the code (gettext msgids) and translated through
``resources/locale/<lang>/LC_MESSAGES/cmrc.mo``. Chinese is the default language: a user
who sets nothing sees Chinese. ``CMRC_LANG`` (or ``--lang``) selects ``en``.
"""

from __future__ import annotations

import gettext as _gettext
import os

from cmrc_desktop.paths import locale_dir

DOMAIN = "cmrc"
DEFAULT_LANGUAGE = "zh_CN"
LANGUAGES = ("zh_CN", "en")

_translation: _gettext.NullTranslations = _gettext.NullTranslations()
_language = "en"


def set_language(lang: str | None = None) -> str:
    """Select the language for every later ``_()`` call; returns the one chosen."""
    global _translation, _language
    lang = lang or os.environ.get("CMRC_LANG") or DEFAULT_LANGUAGE
    lang = {"zh": "zh_CN", "zh-CN": "zh_CN", "zh_cn": "zh_CN", "en_US": "en", "en-US": "en"}.get(
        lang, lang
    )
    if lang not in LANGUAGES:
        lang = DEFAULT_LANGUAGE
    if lang == "en":
        _translation = _gettext.NullTranslations()
    else:
        _translation = _gettext.translation(DOMAIN, locale_dir(), languages=[lang], fallback=True)
    _language = lang
    return lang


def language() -> str:
    return _language


def is_chinese() -> bool:
    return _language.startswith("zh")


def _(message: str) -> str:
    return _translation.gettext(message)


def N_(message: str) -> str:
    """Mark a message for translation without translating it now: for stored data that
    is shown later with ``_()`` in the language of the moment."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translation.ngettext(singular, plural, n)


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
