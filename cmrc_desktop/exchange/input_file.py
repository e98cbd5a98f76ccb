"""Reading a file the user handed in (a sheet, a package, a template, a scheme, a CSV):
the operating system's refusals said once, in the user's words, naming the file; and
nothing but an ordinary file of a known, bounded size is ever read.

A path can name something that is not a file at all: a link to ``/dev/zero`` never ends,
a named pipe (FIFO) nobody writes to blocks the reader for ever, and a 3 GiB sparse file
renamed ``.xlsx`` costs nothing on the disk and 3 GiB in memory. So :func:`read_input`
asks the system what the path is and how large (``stat``, following links: a link to an
ordinary file is fine) before it opens anything, opens without waiting (a FIFO swapped in
after the ``stat`` cannot hang us), checks that what it opened is the file it asked about,
and reads at most one byte more than the limit (a file that grew meanwhile is refused
too). The limits are in :mod:`cmrc_desktop.domain.limits`.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

from cmrc_desktop.domain.errors import InputError
from cmrc_desktop.i18n import _

# O_NONBLOCK: opening a FIFO neither waits for a writer nor, once refused, reads from it;
# O_NOCTTY: a terminal swapped in never becomes ours; O_BINARY: no newline translation
_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
               | getattr(os, "O_BINARY", 0))


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


def read_input(path: str | os.PathLike[str], *, limit: int, what: str, folder: str,
               shown_as: str | None = None) -> bytes:
    """The whole content of an ordinary file of at most ``limit`` bytes, or an
    :class:`InputError` naming the file (``shown_as``, else the path as given).

    ``what`` names the kind of file in the size refusal ("larger than 20 MiB, the most a
    scoresheet can be"); ``folder`` is what to say when the path is a folder.
    """
    name = shown_as or os.fspath(path)
    with open_input(path, limit=limit, what=what, folder=folder, shown_as=name) as fh, \
            reading(name, folder):
        expected = os.fstat(fh.fileno()).st_size
        data = fh.read(expected + 1)
        if len(data) > expected:     # it grew since (or a /proc file says 0): read on, bounded
            data += fh.read(limit + 1 - len(data))
    if len(data) > limit:
        raise too_large(limit, what, name)
    return data


def open_input(path: str | os.PathLike[str], *, limit: int, what: str, folder: str,
               shown_as: str | None = None) -> BinaryIO:
    """An ordinary file of at most ``limit`` bytes opened for reading, for a caller that
    streams it (a dossier document copied into the workspace); the same refusals as
    :func:`read_input`. The caller bounds what it reads, in case the file grows."""
    name = shown_as or os.fspath(path)
    with reading(name, folder):
        before = os.stat(path)
        _refuse_unless_ordinary(before.st_mode, name, folder)
        if before.st_size > limit:
            raise too_large(limit, what, name)
        fd = os.open(path, _OPEN_FLAGS)
    try:
        with reading(name, folder):
            opened = os.fstat(fd)
        _refuse_unless_ordinary(opened.st_mode, name, folder)   # (an inode can be reused)
        if (opened.st_dev, opened.st_ino) != (before.st_dev, before.st_ino):
            raise InputError(_("the file was replaced while it was being opened; try again"),
                             file=name)
        if opened.st_size > limit:
            raise too_large(limit, what, name)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def too_large(limit: int, what: str, name: str) -> InputError:
    """The refusal of a file over its limit, in the same words wherever it is found."""
    return InputError(_("the file is larger than {limit}, the most {what} can be").format(
        limit=size_text(limit), what=what), file=name)


def size_text(size: int) -> str:
    """A size as people write it: 64 KiB, 20 MiB, 3.5 GiB."""
    for unit, name in ((1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")):
        if size >= unit:
            return f"{size / unit:.1f}".removesuffix(".0") + " " + name
    return f"{size} B"


def _refuse_unless_ordinary(mode: int, name: str, folder: str) -> None:
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        raise InputError(folder, file=name)
    if stat.S_ISFIFO(mode):
        reason = _("this is a named pipe (FIFO), not an ordinary file")
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        reason = _("this is a device, not an ordinary file")
    elif stat.S_ISSOCK(mode):
        reason = _("this is a socket, not an ordinary file")
    else:
        reason = _("this is not an ordinary file")
    raise InputError(reason, file=name)
