"""What the browser tests share: the Chromium they drive and a page that may load local pages only."""

from pathlib import Path
from urllib.parse import urlparse

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require_chromium() -> None:
    """Fail (never skip) when Chromium is missing: a browser test that does not run proves nothing."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is required for the browser test and {CHROMIUM} does not exist; install it "
            "with `apt-get update && apt-get install -y chromium`."
        )


def launch(playwright):
    """Headless Chromium, as the tests run it."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def local_only(page, blocked: list | None = None) -> None:
    """Let ``page`` load from 127.0.0.1 and localhost only; other requests are aborted (and recorded)."""

    def route(request):
        if urlparse(request.request.url).hostname in ("127.0.0.1", "localhost"):
            request.continue_()
        else:
            if blocked is not None:
                blocked.append(request.request.url)
            request.abort()

    page.route("**/*", route)
