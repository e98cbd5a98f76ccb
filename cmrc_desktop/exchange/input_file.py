"""Reading a file the user handed in (a sheet, a package, a template): the operating
system's refusals said once, in the user's words, naming the file."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from cmrc_desktop.domain.errors import InputError
from cmrc_desktop.i18n import _


@contextmanager
def reading(name: str, folder: str) -> Iterator[None]:
    """Turn an ``OSError`` raised inside into an ``InputError`` naming ``name``;
    ``folder`` is what to say when the path is a folder (what was expected instead)."""
    try:
        yield
    except FileNotFoundError:
        raise InputError(_("the file does not exist"), file=name) from None
    except IsADirectoryError:
        raise InputError(folder, file=name) from None
    except OSError as exc:
        raise InputError(_("cannot read the file: {reason}").format(
            reason=exc.strerror or exc), file=name) from None
