"""Where the command line gets passwords: ``--password-file``, then ``CMRC_PASSWORD``,
then a prompt when a person is at the terminal. Never from a command-line argument,
which other users of the machine can read."""

from __future__ import annotations

import getpass
import os
import sys

from cmrc_desktop.domain.errors import InputError
from cmrc_desktop.domain.limits import MAX_PASSWORD_FILE
from cmrc_desktop.exchange.input_file import read_input
from cmrc_desktop.i18n import _

ENV_PASSWORD = "CMRC_PASSWORD"
ENV_ONE_TIME = "CMRC_ONE_TIME_PASSWORD"


def _from_file(path: str) -> str:
    """The first line of an ordinary file (not a pipe: ``<(…)`` is refused, so use
    ``CMRC_PASSWORD`` for a password that should never touch the disk)."""
    raw = read_input(path, limit=MAX_PASSWORD_FILE, what=_("a password file"),
                     folder=_("this is a folder, not a password file"))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(_("cannot read the password file: {reason}").format(reason=exc),
                         file=path) from None
    return text.splitlines()[0] if text.splitlines() else ""


def get_password(file: str | None, *, env: str = ENV_PASSWORD, prompt: str | None = None,
                 confirm: bool = False, option: str = "--password-file") -> str:
    if file:
        return _from_file(file)
    if os.environ.get(env):
        return os.environ[env]
    if sys.stdin is not None and sys.stdin.isatty():
        first = getpass.getpass((prompt or _("Password")) + ": ")
        if confirm and getpass.getpass(_("Repeat the password") + ": ") != first:
            raise InputError(_("the two passwords differ"))
        return first
    raise InputError(_("a password is needed: give {option} FILE or set {env}").format(
        option=option, env=env))
