"""The widgets stay interactive in the static HTML book, with no kernel and no network but localhost.

Opens the book that the README's build command wrote (``_build/html``, or ``$RNNBOOK_HTML``) -- the
test command builds it first, so this checks the very pages a reader gets -- serves it on 127.0.0.1,
and drives it in headless Chromium (Debian's ``/usr/bin/chromium``) through Playwright with every
non-localhost request aborted. Then: the widgets render from their embedded state, moving a slider,
a toggle and Play change the picture, and the Play icon survives Font Awesome. Screenshots land in
``_build/html/_screenshots/``.

Needs Chromium (``apt-get install -y chromium``) and the built book; without either it fails, it does
not skip. Run: ``jupyter-book build . -W -n --keep-going && pytest -m browser tests/test_browser.py``.
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest
from browser_support import launch, local_only, require_chromium

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
HTML = Path(os.environ.get("RNNBOOK_HTML", ROOT / "_build" / "html"))
# The pages holding the widgets this test drives: the receptive-field explorer (a slider and toggle
# buttons) and the unrolling explorer (Play).
FIELD_PAGE = "book/07_convolutions_wavenet.html"
UNROLLING_PAGE = "book/02_recurrent_neurons.html"


@pytest.fixture(scope="module")
def html_dir() -> Path:
    missing = [p for p in (FIELD_PAGE, UNROLLING_PAGE) if not (HTML / p).exists()]
    if missing:
        pytest.fail(
            f"the built book has no {', '.join(missing)} under {HTML}; run the README's build "
            "command (`jupyter-book build . -W -n --keep-going`) first, or set RNNBOOK_HTML."
        )
    return HTML


@pytest.fixture(scope="module")
def server(html_dir):
    handler = functools.partial(_QuietHandler, directory=str(html_dir))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    thread.join(timeout=10)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest's output readable
        pass


@pytest.mark.parametrize("name", [FIELD_PAGE, UNROLLING_PAGE])
def test_the_page_embeds_the_widget_state_and_only_local_widget_scripts(html_dir, name):
    page = (html_dir / name).read_text()
    assert "application/vnd.jupyter.widget-state+json" in page
    for script in (
        "_static/rnnbook-widgets.js",
        "_static/ipywidgets/require-2.3.8.js",
        "_static/ipywidgets/embed-amd.js",
    ):
        assert script in page
    for cdn in ("cdn.jsdelivr.net", "cdnjs.cloudflare.com", "unpkg.com"):
        assert f'src="https://{cdn}' not in page
    assert page.index("rnnbook-widgets.js") < page.index("embed-amd.js")
    # Each script once: sphinx-thebe's configuration twice was a "THEBE_JS_URL has already been declared".
    assert page.count("const THEBE_JS_URL") == 1


_VISIBLE_IMAGES = """Array.from(document.querySelectorAll('.rnnbook-widget img'))
    .filter(img => img.offsetParent !== null && img.naturalWidth > 0).map(img => img.src)"""


def _visible_images(page):
    return page.evaluate(f"() => {_VISIBLE_IMAGES}")


def _wait_for_another_frame(page, previous: str, timeout: int = 15_000) -> None:
    """Wait until the first visible widget image is a loaded frame other than ``previous`` (no fixed
    sleep: the test goes on as soon as the widget has answered, and fails after ``timeout`` ms)."""
    page.wait_for_function(
        f"previous => {{ const shown = {_VISIBLE_IMAGES};"
        " return shown.length > 0 && shown[0] !== previous; }",
        arg=previous,
        timeout=timeout,
    )


def test_widgets_render_and_respond_in_chromium_without_network(server, html_dir):
    require_chromium()
    from playwright.sync_api import sync_playwright

    shots = html_dir / "_screenshots"
    shots.mkdir(exist_ok=True)
    blocked, failed, errors = [], [], []
    with sync_playwright() as p:
        browser = launch(p)

        def open_page(name):
            page = browser.new_page(viewport={"width": 1280, "height": 2000})

            local_only(page, blocked)
            page.on("requestfailed", lambda req: failed.append(req.url))
            page.on("pageerror", lambda exc: errors.append(f"{name}: {exc}"))
            page.on(
                "console", lambda msg: msg.type == "error" and errors.append(f"{name}: console: {msg.text}")
            )
            page.goto(f"{server}/{name}")
            page.wait_for_selector(".rnnbook-widget img", state="visible", timeout=60_000)
            page.wait_for_function(f"() => {_VISIBLE_IMAGES}.length > 0", timeout=30_000)  # decoded
            widgets = page.locator(".rnnbook-widget")
            assert widgets.count() == 1, f"{name}: its one widget must render from the embedded state"
            assert len(_visible_images(page)) == 1
            return page, widgets.first

        page, field = open_page(FIELD_PAGE)
        page.screenshot(path=str(shots / "receptive_field_page.png"), full_page=True)
        field.screenshot(path=str(shots / "receptive_field_before.png"))
        before = _visible_images(page)

        # A slider: the layer count of the receptive-field explorer (keyboard on the noUi handle).
        handle = field.locator(".noUi-handle").first
        handle.focus()
        handle.press("Home")  # the layer slider starts at its maximum
        _wait_for_another_frame(page, before[0])
        after_slider = _visible_images(page)
        assert after_slider[0] != before[0], "moving the slider must show another frame"
        field.screenshot(path=str(shots / "receptive_field_after_slider.png"))
        assert field.screenshot() != (shots / "receptive_field_before.png").read_bytes()

        # A toggle: the kernel size.
        field.locator("button", has_text="3").first.click()
        _wait_for_another_frame(page, after_slider[0])
        assert _visible_images(page)[0] != after_slider[0], "a toggle button must show another frame"

        # Play: the unrolling explorer steps through time by itself.
        page, unrolled = open_page(UNROLLING_PAGE)
        # MathJax 3 typesets the chapter's equations, and the math in the widget's own label ("time step
        # $t$"), which the widget bundle hands to MathJax 2's API (book/_static/rnnbook-widgets.js).
        page.wait_for_selector("mjx-container", timeout=30_000)
        assert page.locator("mjx-container").count() > 10
        label = unrolled.locator(".widget-label", has_text="time step").first
        label.locator("mjx-container").first.wait_for(timeout=30_000)
        assert "$" not in label.inner_text(), label.inner_html()
        unrolled.screenshot(path=str(shots / "unrolling_label_math.png"))
        before = _visible_images(page)
        unrolled.screenshot(path=str(shots / "unrolling_before_play.png"))
        play_button = unrolled.locator(".widget-play button").first
        icon_before = play_button.inner_html()
        play_button.click()
        _wait_for_another_frame(page, before[0])
        assert _visible_images(page)[0] != before[0], "Play must advance the frames"
        unrolled.screenshot(path=str(shots / "unrolling_playing.png"))
        # The widget swaps its icon by changing the <i>'s class; Font Awesome must neither have replaced
        # the <i> by an <svg> nor stacked a second icon into it (see book/_static/rnnbook-widgets.js).
        icon_playing = play_button.inner_html()
        assert "fa-play" in icon_before and "fa-pause" in icon_playing, (icon_before, icon_playing)
        assert icon_playing.count("<svg") + icon_playing.count("<i ") == 1, icon_playing
        glyph = play_button.locator("i").first.evaluate("e => getComputedStyle(e, '::before').content")
        assert glyph not in ("none", "normal", '""'), "the pause icon must be drawn"
        disconnected_marker = page.evaluate("""() => Array.from(document.querySelectorAll(
            '.jupyter-widgets-disconnected')).some(e => {
                const before = getComputedStyle(e, '::before').content;
                return (before !== 'none' && before !== 'normal') || getComputedStyle(e).opacity !== '1';
            })""")
        assert not disconnected_marker, "no 'disconnected' marker may cover a working widget"
        browser.close()
    widget_requests = [
        u
        for u in blocked
        if any(s in u for s in ("jupyter-widgets", "require", "jsdelivr", "unpkg", "cdnjs"))
    ]
    assert not widget_requests, f"widget code requested from outside the book: {widget_requests}"
    assert not [u for u in failed if urlparse(u).hostname in ("127.0.0.1", "localhost")], failed
    # No page error and no console error at all (tools/rnnbook_sphinx.py keeps each script once; the
    # theme's default mode is set in _config.yml; widget labels typeset with MathJax 3).
    assert not errors, errors


# Code lines are held to 88 characters (tests/test_notebooks.py); book/_static/rnnbook-code.css gives
# the article the room they need at the theme's code font size. On a laptop and on a wide screen no
# visible code block of any chapter may scroll sideways.
CODE_PAGES = sorted(p.name for p in (ROOT / "book").glob("*.ipynb"))


@pytest.mark.parametrize("width", [1280, 1920])
def test_code_cells_fit_the_article_without_scrolling(server, html_dir, width):
    require_chromium()
    from playwright.sync_api import sync_playwright

    overflowing = {}
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": width, "height": 1000})
        local_only(page)
        for name in CODE_PAGES:
            page.goto(f"{server}/book/{name.replace('.ipynb', '.html')}", wait_until="load")
            wide = page.evaluate("""() => Array.from(document.querySelectorAll(
                '.bd-article div.cell_input div.highlight pre')).filter(e => e.offsetParent !== null)
                .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent.slice(0, 60))""")
            if wide:
                overflowing[name] = wide
        browser.close()
    assert not overflowing, f"code blocks scroll sideways at {width} px: {overflowing}"
