"""The widgets stay interactive in the static HTML book, with no kernel and no network but localhost.

Builds a one-page Jupyter Book with the book's own widget configuration (the keys of ``_config.yml``
that wire the vendored widget JavaScript) into ``_build/widget-browser-test/``, serves it on
127.0.0.1, and opens it in headless Chromium (Debian's ``/usr/bin/chromium``) through Playwright with
every non-localhost request aborted. Then: the widgets render, moving a slider and pressing Play change
the picture, the Play icon survives Font Awesome. Screenshots land in
``_build/widget-browser-test/_build/html/_screenshots/``.

Needs Chromium: ``apt-get install -y chromium``. Without it this test fails (it does not skip).
Run: ``pytest -m browser tests/test_browser.py``.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
BUILD = ROOT / "_build" / "widget-browser-test"
WIDGET_KEYS = ("html_static_path", "nb_ipywidgets_js", "nb_mime_priority_overrides")

NOTEBOOK_CELLS = [
    ("markdown", "# Widgets in the static book\n\nA receptive-field explorer and an unrolling explorer."),
    ("code", "from rnnbook.widgets import receptive_field_explorer\n"
             "receptive_field_explorer(kernel_sizes=(2, 3), max_layers=3, n_steps=16)"),
    ("code", "from rnnbook.widgets import unrolling_explorer\n"
             "unrolling_explorer('simple_rnn', units=2, n_steps=6, epochs=1)"),
]


def _write_book(directory: Path) -> None:
    import nbformat

    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    sphinx_config = {k: v for k, v in config["sphinx"]["config"].items() if k in WIDGET_KEYS}
    book_config = {
        "title": "widget browser test", "author": "rnnbook",
        "execute": {"execute_notebooks": "force", "timeout": 300, "allow_errors": False},
        "sphinx": {"config": sphinx_config},
    }
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    (directory / "_config.yml").write_text(yaml.safe_dump(book_config, sort_keys=False))
    (directory / "_toc.yml").write_text("format: jb-book\nroot: widgets\n")
    for static in sphinx_config["html_static_path"]:
        shutil.copytree(ROOT / static, directory / static)
    cells = [nbformat.v4.new_markdown_cell(s) if kind == "markdown" else nbformat.v4.new_code_cell(s)
             for kind, s in NOTEBOOK_CELLS]
    nb = nbformat.v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    nbformat.write(nb, directory / "widgets.ipynb")


@pytest.fixture(scope="module")
def html_dir() -> Path:
    _write_book(BUILD)
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    result = subprocess.run([str(jupyter_book), "build", str(BUILD), "--builder", "html"],
                            capture_output=True, text=True, timeout=600)
    html = BUILD / "_build" / "html"
    assert result.returncode == 0 and (html / "widgets.html").exists(), result.stdout[-3000:] + result.stderr[-3000:]
    return html


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


def test_the_page_embeds_the_widget_state_and_only_local_widget_scripts(html_dir):
    page = (html_dir / "widgets.html").read_text()
    assert "application/vnd.jupyter.widget-state+json" in page
    for script in ("_static/rnnbook-widgets.js", "_static/ipywidgets/require-2.3.8.js",
                   "_static/ipywidgets/embed-amd.js"):
        assert script in page
    for cdn in ("cdn.jsdelivr.net", "cdnjs.cloudflare.com", "unpkg.com"):
        assert f'src="https://{cdn}' not in page
    assert page.index("rnnbook-widgets.js") < page.index("embed-amd.js")


def _visible_images(page):
    return page.evaluate("""() => Array.from(document.querySelectorAll('.rnnbook-widget img'))
        .filter(img => img.offsetParent !== null && img.naturalWidth > 0).map(img => img.src)""")


def test_widgets_render_and_respond_in_chromium_without_network(server, html_dir):
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium is required for the browser test and {CHROMIUM} does not exist; install it "
                    "with `apt-get update && apt-get install -y chromium`.")
    from playwright.sync_api import sync_playwright

    shots = html_dir / "_screenshots"
    shots.mkdir(exist_ok=True)
    blocked, failed, errors = [], [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 2000})

        def route(r):
            if urlparse(r.request.url).hostname in ("127.0.0.1", "localhost"):
                r.continue_()
            else:
                blocked.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        page.on("requestfailed", lambda req: failed.append(req.url))
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{server}/widgets.html")
        page.wait_for_selector(".rnnbook-widget img", state="visible", timeout=60_000)
        page.wait_for_timeout(500)
        widgets = page.locator(".rnnbook-widget")
        assert widgets.count() == 2, "both widgets must render from the embedded state"
        field, unrolled = widgets.nth(0), widgets.nth(1)
        page.screenshot(path=str(shots / "page.png"), full_page=True)
        field.screenshot(path=str(shots / "receptive_field_before.png"))
        before = _visible_images(page)
        assert len(before) == 2

        # A slider: the layer count of the receptive-field explorer (keyboard on the noUi handle).
        handle = field.locator(".noUi-handle").first
        handle.focus()
        handle.press("Home")
        page.wait_for_timeout(300)
        after_slider = _visible_images(page)
        assert after_slider[0] != before[0], "moving the slider must show another frame"
        field.screenshot(path=str(shots / "receptive_field_after_slider.png"))
        assert field.screenshot() != (shots / "receptive_field_before.png").read_bytes()

        # A toggle: the kernel size.
        field.locator("button", has_text="3").first.click()
        page.wait_for_timeout(300)
        assert _visible_images(page)[0] != after_slider[0], "a toggle button must show another frame"

        # Play: the unrolling explorer steps through time by itself.
        unrolled.screenshot(path=str(shots / "unrolling_before_play.png"))
        play_button = unrolled.locator(".widget-play button").first
        icon_before = play_button.inner_html()
        play_button.click()
        page.wait_for_timeout(2500)
        assert _visible_images(page)[1] != before[1], "Play must advance the frames"
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
    widget_requests = [u for u in blocked if any(s in u for s in ("jupyter-widgets", "require", "jsdelivr",
                                                                   "unpkg", "cdnjs"))]
    assert not widget_requests, f"widget code requested from outside the book: {widget_requests}"
    assert not [u for u in failed if urlparse(u).hostname in ("127.0.0.1", "localhost")], failed
    # Jupyter Book 1 writes sphinx-thebe's `const THEBE_JS_URL` line twice on every page (nothing to do
    # with widgets, and the book launches no Thebe); any other page error is a failure.
    errors = [e for e in errors if "THEBE_JS_URL" not in e]
    assert not errors, errors
