"""Deliberately broken rnnbook plugins (test fixtures)."""


def build_broken(n_steps=50, n_features=1, horizon=1):
    """Imports fine, then fails when asked to build."""
    raise RuntimeError("this plugin is broken on purpose")
