"""A small Sphinx extension for the book (listed in ``_config.yml``, ``sphinx.local_extensions``).

Two things Jupyter Book 1 does not do on its own:

* **Launch and repository buttons only for a real repository.** ``repository.url`` in ``_config.yml``
  is the one setting: when it is a GitHub repository URL (``https://github.com/<owner>/<name>``), the
  pages get the repository and issues buttons and the Binder and Colab launch buttons (from
  ``launch_buttons``); when it is empty -- as shipped, until the book has a public home -- or anything
  else, no page shows any of them. :func:`is_real_repository` is the rule.
* **Each script once.** sphinx-thebe registers its configuration script (``const THEBE_JS_URL = ...``)
  twice, so every page threw "Identifier 'THEBE_JS_URL' has already been declared"; every script tag
  that repeats an earlier one (same file or inline body, same attributes) is dropped from the page.

Used in: ``_config.yml``; tested in ``tests/test_launch.py``.
"""

from __future__ import annotations

import re

#: What a repository URL must look like for the buttons to be shown.
REPOSITORY_URL = re.compile(
    r"^https://github\.com/"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?/[A-Za-z0-9._-]+/?$"
)

#: Theme options that need a real repository.
REPOSITORY_BUTTONS = ("use_repository_button", "use_issues_button")


def is_real_repository(url) -> bool:
    """Whether ``url`` names a GitHub repository (the launch buttons need one).

    Example:

    >>> is_real_repository("https://github.com/someone/rnnbook"), is_real_repository("")
    (True, False)
    """
    return isinstance(url, str) and bool(REPOSITORY_URL.match(url.strip()))


def buttons_theme_options(options: dict) -> dict:
    """``html_theme_options`` with the buttons set by the rule: on for a real repository, else off.

    Example:

    >>> buttons_theme_options({"repository_url": "", "launch_buttons": {"colab_url": "x"}})
    {'repository_url': '', 'use_repository_button': False, 'use_issues_button': False}
    """
    options = dict(options)
    real = is_real_repository(options.get("repository_url"))
    for name in REPOSITORY_BUTTONS:
        options[name] = real
    if not real:
        options.pop("launch_buttons", None)
    return options


def unique_scripts(scripts) -> list:
    """``scripts`` without the ones equal to an earlier one, in order.

    Example:

    >>> unique_scripts(["a.js", "b.js", "a.js"])
    ['a.js', 'b.js']
    """
    kept, seen = [], set()
    for script in scripts:
        key = _script_key(script)
        if key not in seen:
            seen.add(key)
            kept.append(script)
    return kept


def _script_key(script):
    # An inline script is registered with filename None or "" (sphinx-thebe's two copies differ so).
    if isinstance(script, str):
        return script, ()
    attributes = tuple(sorted((k, str(v)) for k, v in getattr(script, "attributes", {}).items()))
    return str(getattr(script, "filename", "") or ""), attributes


def _config_inited(app, config):
    config.html_theme_options = buttons_theme_options(config.html_theme_options or {})


def _page_context(app, pagename, templatename, context, doctree):
    if "script_files" in context:
        context["script_files"] = unique_scripts(context["script_files"])


def setup(app):
    app.connect("config-inited", _config_inited)
    # After the other extensions have added their scripts to the page.
    app.connect("html-page-context", _page_context, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
