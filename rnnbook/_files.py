"""Writing a user's files atomically, with the permissions a user expects.

Every file rnnbook writes for a user -- the leaderboard's JSON, a saved forecaster, the report's page and
pictures -- is written beside its path and renamed over it, so a reader never sees half a file and an
interrupted write leaves the old file whole. ``tempfile.mkstemp`` would make every such file 0600; a
new file gets the permissions of any new file under the umask instead, and a file written over keeps
its own.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path


def write_atomically(path, write) -> Path:
    """Call ``write(tmp)`` on a new file beside ``path``, then rename it over ``path``.

    Args:
        path: the file to write; a symbolic link there is written through to its target.
        write: ``write(tmp_path)`` fills the temporary file (closed, already created).

    Returns:
        ``path``, as a :class:`~pathlib.Path`.

    Example:

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> write_atomically(folder / "a.txt", lambda tmp: Path(tmp).write_text("hi")).read_text()
    'hi'
    >>> sorted(p.name for p in folder.iterdir())      # no temporary file left behind
    ['a.txt']
    """
    path = Path(path)
    target = Path(os.path.realpath(path))  # through a symbolic link, to the file it points to
    fd, tmp = _new_file_beside(target)
    os.close(fd)
    try:
        write(tmp)
        with open(tmp, "rb+") as f:  # on disk before the rename, so a crash leaves a whole file
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path


def _new_file_beside(path: Path) -> tuple[int, str]:
    """A new temporary file beside ``path`` (descriptor, name) with the permissions ``path`` has, or,
    when it does not exist, those of any new file under the umask."""
    try:
        mode = path.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = None
    while True:
        tmp = str(path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            break
        except FileExistsError:
            continue
    if mode is not None:
        os.chmod(tmp, mode)
    return fd, tmp
