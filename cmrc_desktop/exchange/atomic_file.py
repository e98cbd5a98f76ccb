"""Write a file so that the destination holds either the old or the complete new
content, never half of it: temporary file in the same folder, fsync, rename."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(destination: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``destination``; on success it replaces it."""
    destination = Path(destination)
    if not destination.parent.is_dir():   # name the file meant, not our temporary file
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), str(destination))
    fd, tmp = tempfile.mkstemp(prefix=f".{destination.name}.", suffix=".part",
                               dir=destination.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    # mkstemp makes the file 0600; an exported sheet on a shared folder or USB stick
    # should have the permissions any new file of the user gets.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp_path, 0o666 & ~umask)
    try:
        yield tmp_path
        with open(tmp_path, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp_path, destination)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp_path.unlink()
        raise


def write_bytes_atomic(destination: str | Path, data: bytes) -> None:
    with atomic_path(destination) as tmp:
        tmp.write_bytes(data)
