"""Where rnnbook keeps what it can recompute (compiled programs, trained models), and how to turn it off.

The root follows the platform's cache convention (``platformdirs.user_cache_dir("rnnbook")``):

* Linux: ``$XDG_CACHE_HOME/rnnbook`` (default ``~/.cache/rnnbook``);
* macOS: ``~/Library/Caches/rnnbook``;
* Windows: ``%LOCALAPPDATA%\\rnnbook\\Cache``.

Environment variables:

* ``RNNBOOK_CACHE_DIR`` -- another root;
* ``RNNBOOK_CACHE=0`` -- no cache at all;
* ``RNNBOOK_COMPILE_CACHE`` -- the JAX compile cache alone (``<root>/jax``): a directory, or ``0``;
* ``RNNBOOK_MODEL_CACHE`` -- the trained-model cache alone (``<root>/models``, see
  :mod:`rnnbook.model_cache`): a directory, or ``0``. The computed widgets (``<root>/widgets``, see
  ``rnnbook.widgets._cache``) are on and off with it.

Every directory rnnbook creates for a cache (the root, ``jax/``, ``models/``, ``widgets/``) is made
private (mode ``0700``) whatever the umask, so that the widget cache's check that no one else may
write to its directory holds under a group-writable umask (``002``) too.

A cache is an optimisation, never a requirement: a directory that cannot be created or written (a
read-only home, a full disk, a file where a directory should be) gives one :class:`CacheWarning` and
rnnbook runs without that cache.

Example:

>>> from rnnbook import cache
>>> cache.cache_dir("jax", environ={"RNNBOOK_CACHE_DIR": "/tmp/rnnbook-cache"})
'/tmp/rnnbook-cache/jax'
>>> cache.cache_dir("jax", environ={"RNNBOOK_CACHE": "0"}) is None
True
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Mapping

import platformdirs

from rnnbook._checks import prove_writable

CACHE_ENV = "RNNBOOK_CACHE"
CACHE_DIR_ENV = "RNNBOOK_CACHE_DIR"
COMPILE_CACHE_ENV = "RNNBOOK_COMPILE_CACHE"
MODEL_CACHE_ENV = "RNNBOOK_MODEL_CACHE"
# Each cache's own variable: a directory, or 0 to turn that cache alone off.
_OWN_ENV = {"jax": COMPILE_CACHE_ENV, "models": MODEL_CACHE_ENV}
_OFF = ("0", "off", "false", "no")


class CacheWarning(UserWarning):
    """A cache directory is unusable; rnnbook carries on without that cache."""


_warned: set[str] = set()


def root(environ: Mapping[str, str] | None = None) -> str | None:
    """The cache root, or ``None`` when ``RNNBOOK_CACHE=0``."""
    environ = os.environ if environ is None else environ
    if environ.get(CACHE_ENV, "").strip().lower() in _OFF:
        return None
    configured = environ.get(CACHE_DIR_ENV, "").strip()
    if configured:
        return os.path.abspath(os.path.expanduser(configured))

    return platformdirs.user_cache_dir("rnnbook", appauthor=False)


def cache_dir(name: str, environ: Mapping[str, str] | None = None) -> str | None:
    """The directory of one cache under :func:`root` (not created), or ``None`` when caching is off."""
    environ = os.environ if environ is None else environ
    if environ.get(CACHE_ENV, "").strip().lower() in _OFF:  # every cache off wins over any one's setting
        return None
    if name in _OWN_ENV:
        setting = environ.get(_OWN_ENV[name], "").strip()
        if setting.lower() in _OFF:
            return None
        if setting:
            return os.path.abspath(os.path.expanduser(setting))
    base = root(environ)
    return None if base is None else os.path.join(base, name)


def make_private_dirs(path: str) -> None:
    """Create ``path`` and its missing parents with mode ``0700``; raises ``OSError`` if one cannot be.

    ``os.makedirs(mode=...)`` is subject to the umask, which may leave a directory group-writable;
    each directory created here is therefore set to ``0700`` afterwards. Existing directories are
    left as they are.
    """
    missing = []
    head = os.path.abspath(path)
    while not os.path.isdir(head):
        missing.append(head)
        parent = os.path.dirname(head)
        if parent == head:
            break
        head = parent
    for directory in reversed(missing):
        try:
            os.mkdir(directory, 0o700)
        except FileExistsError:
            if not os.path.isdir(directory):
                raise
            continue  # another process created it first: its mode is its creator's choice
        os.chmod(directory, 0o700)


def _blocker(path: str) -> str:
    """The first parent of ``path`` that exists but is not a directory, else ``path``: what to warn about."""
    head = os.path.abspath(path)
    while True:
        parent = os.path.dirname(head)
        if parent == head:
            return path
        if os.path.exists(head) and not os.path.isdir(head):
            return head
        head = parent


def writable_dir(path: str) -> str | None:
    """Create ``path`` (privately, see :func:`make_private_dirs`) and prove a file can be written there;
    else warn once -- once per cause: a file in place of the cache root is one warning, not one per
    cache under it -- and return ``None``."""
    try:
        make_private_dirs(path)
        prove_writable(path)
        return path
    except OSError as error:
        where = _blocker(path)
        if where not in _warned:
            _warned.add(where)
            reason = f"{where} is a file, not a directory" if where != path else error.strerror or error
            warnings.warn(
                f"rnnbook runs without its cache: {path} is not writable ({reason}). "
                f"Set {CACHE_DIR_ENV} to a writable directory, or {CACHE_ENV}=0 to silence this.",
                CacheWarning,
                stacklevel=3,
            )
        return None


class _AllButFirst:
    """A warnings-filter pattern matching every message that ``pattern`` matches except the first."""

    def __init__(self, pattern: str):
        self.prefix, self.regex, self.seen = pattern, re.compile(pattern), False

    def match(self, text: str) -> bool:
        if not self.regex.match(text):
            return False
        if not self.seen:
            self.seen = True
            return False
        return True


def warn_once_about(prefix: str) -> None:
    """Show the first warning whose message matches the regular expression ``prefix``, silence the rest.

    JAX warns once per program it cannot write to a full cache directory; the first says it all.
    """
    if any(isinstance(f[1], _AllButFirst) and f[1].prefix == prefix for f in warnings.filters):
        return
    warnings.filterwarnings("ignore", message=prefix)
    action, _, category, module, lineno = warnings.filters[0]
    warnings.filters[0] = (action, _AllButFirst(prefix), category, module, lineno)
