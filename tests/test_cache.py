"""Where rnnbook caches, how to turn caching off, and an unusable cache directory is no failure."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings

import pytest

from rnnbook import cache


def test_the_root_follows_the_platform_convention_and_can_be_moved_or_turned_off(tmp_path, monkeypatch):
    import platformdirs

    assert cache.root({}) == platformdirs.user_cache_dir("rnnbook", appauthor=False)
    if sys.platform.startswith("linux"):
        # platformdirs reads the XDG variable from the process environment, not from `environ`.
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
        assert cache.root({}) == str(tmp_path / "xdg" / "rnnbook")
        assert cache.cache_dir("jax", {}) == str(tmp_path / "xdg" / "rnnbook" / "jax")
    assert cache.cache_dir("jax", {"RNNBOOK_CACHE_DIR": str(tmp_path)}) == str(tmp_path / "jax")
    for off in ("0", "off", "false", "no"):
        assert cache.cache_dir("jax", {"RNNBOOK_CACHE": off}) is None
        assert cache.cache_dir("jax", {"RNNBOOK_COMPILE_CACHE": off}) is None
    assert cache.cache_dir("jax", {"RNNBOOK_COMPILE_CACHE": str(tmp_path / "c")}) == str(tmp_path / "c")


def test_an_unwritable_directory_warns_once_and_gives_no_cache(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    path = str(blocker / "jax")  # its parent is a file: it can never be created, not even by root
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert cache.writable_dir(path) is None
        assert cache.writable_dir(path) is None
    messages = [str(w.message) for w in caught if issubclass(w.category, cache.CacheWarning)]
    assert len(messages) == 1 and path in messages[0] and "RNNBOOK_CACHE" in messages[0]
    assert cache.writable_dir(str(tmp_path / "ok" / "jax")) == str(tmp_path / "ok" / "jax")
    assert os.listdir(tmp_path / "ok" / "jax") == []  # the probe file is gone


def test_warn_once_about_shows_the_first_matching_warning_only():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cache.warn_once_about("Error writing persistent compilation cache entry")
        for name in ("a", "b", "c"):
            warnings.warn(f"Error writing persistent compilation cache entry for {name!r}", stacklevel=1)
        warnings.warn("another warning", stacklevel=1)
    assert [str(w.message) for w in caught] == [
        "Error writing persistent compilation cache entry for 'a'",
        "another warning",
    ]


ON_JAX = os.environ.get("KERAS_BACKEND", "jax") == "jax"


@pytest.mark.skipif(
    not ON_JAX, reason="the compile cache is JAX's (the JAX pass of the test command runs this)"
)
def test_a_cache_that_breaks_mid_run_is_one_warning_and_training_goes_on(tmp_path):
    code = """
import shutil, warnings, sys
import rnnbook
from rnnbook.training import enable_compile_cache, train
path = enable_compile_cache()
assert path.startswith(sys.argv[1]), path
shutil.rmtree(path); open(path, "w").write("the disk is gone")   # every later read and write fails
result = train("linear", profile="quick", epochs=2, progress=False)
print("VAL", result.val_mse)
"""
    env = {**os.environ, "RNNBOOK_CACHE_DIR": str(tmp_path), "PYTHONWARNINGS": "default"}
    env.pop("RNNBOOK_COMPILE_CACHE", None)
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, env=env, timeout=600
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert float(out.stdout.split("VAL")[1]) < 0.1
    assert out.stderr.count("persistent compilation cache entry") == 1, out.stderr[-3000:]


@pytest.mark.skipif(
    not ON_JAX, reason="the compile cache is JAX's (the JAX pass of the test command runs this)"
)
def test_an_unwritable_cache_root_still_trains_with_one_warning(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    code = (
        "import rnnbook; from rnnbook.training import train; "
        "print('VAL', train('linear', profile='quick', epochs=1, progress=False).val_mse)"
    )
    env = {**os.environ, "RNNBOOK_CACHE_DIR": str(blocker / "cache")}
    env.pop("RNNBOOK_COMPILE_CACHE", None)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stderr.count("CacheWarning") == 1 and "runs without its cache" in out.stderr, out.stderr


def test_cache_directories_are_private_under_a_group_writable_umask(tmp_path):
    root = tmp_path / "home" / "rnnbook"
    previous = os.umask(0o002)  # Debian and Ubuntu desktops: new directories are 775
    try:
        for name in ("models", "widgets", "jax"):
            assert cache.writable_dir(str(root / name)) == str(root / name)
    finally:
        os.umask(previous)
    for folder in (root.parent, root, root / "models", root / "widgets", root / "jax"):
        assert folder.stat().st_mode & 0o777 == 0o700, folder


def test_a_cache_root_that_is_a_file_is_one_warning_for_every_cache_under_it(tmp_path):
    blocker = tmp_path / "cache-root"
    blocker.write_text("a file where the cache root should be")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for name in ("jax", "models", "widgets"):
            assert cache.writable_dir(str(blocker / name)) is None
    messages = [str(w.message) for w in caught if issubclass(w.category, cache.CacheWarning)]
    assert len(messages) == 1 and f"{blocker} is a file, not a directory" in messages[0], messages
