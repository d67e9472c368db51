"""The widgets work in a live kernel: JupyterLab, a Python kernel and headless Chromium, end to end.

Starts ``jupyter lab`` on 127.0.0.1 (a random port and token, its own config, runtime and settings
directories, a temporary root), writes there a notebook holding the book's first (setup) cell and every
chapter's widget cell -- taken from ``book/*.ipynb``, so it follows the chapters -- opens it in headless
Chromium (Playwright, every non-localhost request aborted), runs the cells with JupyterLab's own
commands, and checks, for every widget:

* it appears (its picture is drawn) -- the seconds from running its cell are printed;
* every control (slider, toggle buttons, dropdown, Play) changes the picture, and the kernel's own view
  of the widget (``FrameView.shown_key()``, kept in step by the widget's observers) saw the moves;
* no cell shows stderr, and the browser logs no error.

The server and its kernel are stopped in all cases. The kernel uses the shared trained-model cache
(``~/.cache/rnnbook``), like a reader's notebooks, not the unit tests' "no cache" setting; with a warm
cache it takes about a minute. Run: ``pytest -m browser tests/test_live.py -s``.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from browser_support import launch, local_only, require_chromium

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
# The environment the tests were started with: tests/conftest.py turns the model cache off and picks
# the quick profile for unit tests, but a reader's kernel uses the cache and the chapters' settings.
_READER_ENV = {k: v for k, v in os.environ.items() if k not in ("RNNBOOK_MODEL_CACHE", "RNNBOOK_PROFILE")}
NOTEBOOK = "widgets_live.ipynb"
# The report's line starts with this, so it is told apart from anything else the cell may print.
KERNEL_VIEW = "kernel view:"
# The last cell: the kernel's view of every widget, by the execution count of the cell that showed it.
REPORT = (
    "from rnnbook.widgets._frames import FrameView\n"
    "import json\n"
    f"print({KERNEL_VIEW!r}, json.dumps({{n: v.shown_key() for n, v in Out.items() "
    "if isinstance(v, FrameView)}))"
)
# A cell has run, by the notebook's model: JupyterLab sets its execution count once the kernel is done.
RAN_IN_MODEL = "i => window.jupyterapp.shell.currentWidget.content.model.cells.get(i).executionCount !== null"
# The text a cell printed, read from the notebook's model (not the page, whose cells may be windowed).
CELL_TEXT = """i => window.jupyterapp.shell.currentWidget.content.model.cells.get(i).outputs.toJSON()
    .map(o => [].concat(o.text || []).join('')).join('')"""


def widget_notebook():
    """A notebook: the chapters' setup cell, one markdown heading and widget cell per widget, a report."""
    cells, names = [], []
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        if not cells:
            cells.append(nbformat.v4.new_code_cell(nb.cells[0].source))  # the setup (Colab) cell
            # What a chapter's earlier cells have imported by the time its widget cell runs.
            cells.append(nbformat.v4.new_code_cell("import rnnbook.widgets, keras, matplotlib"))
        for cell in nb.cells:
            name = cell.metadata.get("rnnbook_widget")
            if name:
                cells.append(nbformat.v4.new_markdown_cell(f"## {path.stem}: {name}"))
                cells.append(nbformat.v4.new_code_cell(cell.source, metadata={"rnnbook_widget": name}))
                names.append(name)
    cells += [nbformat.v4.new_code_cell(REPORT), nbformat.v4.new_code_cell(REPORT)]  # before/after moves
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb, names


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, timeout: float = 5):
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (localhost only)
        return json.loads(response.read() or b"null")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on 127.0.0.1 serving a temporary root; yields (base URL, token, root)."""
    base = tmp_path_factory.mktemp("lab")
    root = base / "root"
    root.mkdir()
    nb, names = widget_notebook()
    nbformat.write(nb, root / NOTEBOOK)
    port, token = _free_port(), secrets.token_hex(16)
    env = {
        **_READER_ENV,
        "JUPYTER_CONFIG_DIR": str(base / "config"),
        "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
        "JUPYTER_DATA_DIR": str(base / "data"),
        "JUPYTERLAB_SETTINGS_DIR": str(base / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(base / "workspaces"),
        "IPYTHONDIR": str(base / "ipython"),
        "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p),
    }
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ip",
        "127.0.0.1",
        "--port",
        str(port),
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--ServerApp.port_retries=0",
        "--LabApp.expose_app_in_browser=True",
        "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # containers often run as root
    log = open(base / "server.log", "w")  # noqa: SIM115 (closed in finally)
    server = subprocess.Popen(
        command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if server.poll() is not None:
                pytest.fail(
                    f"jupyter lab exited with {server.returncode}: "
                    f"{(base / 'server.log').read_text()[-3000:]}"
                )
            try:
                _get(f"{url}/api/status?token={token}")
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("jupyter lab did not answer /api/status within 120 s")
                time.sleep(0.5)
        yield url, token, names, base
    finally:
        try:  # shuts the kernels down, then the server
            request = urllib.request.Request(f"{url}/api/shutdown?token={token}", method="POST")
            urllib.request.urlopen(request, timeout=10).close()  # noqa: S310
        except OSError:
            pass
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
        log.close()


# The picture a widget shows: the visible frame of its stacks (a VBox child of the widget), an image
# (a blob URL, one per frame) or an HTML frame.
PICTURE = """cell => {
    const visible = e => e.offsetParent !== null && e.getClientRects().length > 0;
    const frames = Array.from(cell.querySelectorAll('.rnnbook-widget > .widget-box img, '
        + '.rnnbook-widget > .widget-box .widget-html-content')).filter(visible);
    const drawn = frames.filter(e => e.tagName !== 'IMG' || e.naturalWidth > 0);
    if (!drawn.length) return null;
    // Two frames may hold the same HTML (a note that there is nothing to draw): name each element.
    for (const e of drawn) {
        if (!e.dataset.testFrame) {
            e.dataset.testFrame = String(window.testFrames = (window.testFrames || 0) + 1);
        }
    }
    return drawn.map(e => (e.tagName === 'IMG' ? e.src : 'html' + e.dataset.testFrame)).join('|');
}"""


# A code cell has run: its prompt shows an execution count, not [*].
RAN = "c => /\\[\\d+\\]/.test(c.querySelector('.jp-InputPrompt').textContent)"


def test_every_widget_works_through_a_live_kernel_in_chromium(lab):
    require_chromium()
    from playwright.sync_api import sync_playwright

    url, token, names, base = lab
    errors, blocked, timings = [], [], {}
    started = time.monotonic()
    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1100})

            local_only(page, blocked)
            page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
            page.on("console", lambda msg: msg.type == "error" and errors.append(f"console: {msg.text}"))
            page.goto(f"{url}/lab/tree/{NOTEBOOK}?reset&token={token}")
            page.wait_for_function(
                "() => window.jupyterapp && window.jupyterapp.shell.currentWidget && "
                "window.jupyterapp.shell.currentWidget.sessionContext && "
                "window.jupyterapp.shell.currentWidget.sessionContext.session && "
                "window.jupyterapp.shell.currentWidget.sessionContext.session.kernel",
                timeout=120_000,
            )
            cells = page.locator(".jp-Notebook .jp-Cell")
            cells.first.wait_for(timeout=60_000)
            code = [
                i
                for i in range(cells.count())
                if "jp-CodeCell" in (cells.nth(i).get_attribute("class") or "")
            ]

            def run(index):
                """Run cell ``index`` with JupyterLab's own command; wait for the kernel to finish it."""
                page.evaluate(
                    """async i => {
                    const panel = window.jupyterapp.shell.currentWidget;
                    panel.content.activeCellIndex = i;
                    await window.jupyterapp.commands.execute('notebook:run-cell');
                }""",
                    index,
                )
                page.wait_for_function(RAN_IN_MODEL, arg=index, timeout=300_000, polling=50)

            for index in code[:2]:  # the setup cell, then the imports
                run(index)
            widget_cells = code[2 : 2 + len(names)]
            for name, index in zip(names, widget_cells):
                start = time.monotonic()
                page.evaluate(
                    """i => { const panel = window.jupyterapp.shell.currentWidget;
                    panel.content.activeCellIndex = i;
                    window.jupyterapp.commands.execute('notebook:run-cell'); }""",
                    index,
                )
                cell = cells.nth(index)
                page.wait_for_function(PICTURE, arg=cell.element_handle(), timeout=300_000, polling=50)
                timings[name] = {"display_s": round(time.monotonic() - start, 2)}
                page.wait_for_function(RAN, arg=cell.element_handle(), timeout=300_000)

            run(code[-2])
            before = page.evaluate(CELL_TEXT, code[-2])
            for name, index in zip(names, widget_cells):
                cell = cells.nth(index)
                cell.scroll_into_view_if_needed()
                _move_every_control(page, cell, name, timings[name])
            run(code[-1])
            after = page.evaluate(CELL_TEXT, code[-1])
            stderr = page.locator('.jp-RenderedText[data-mime-type="application/vnd.jupyter.stderr"]')
            stderr_text = [stderr.nth(i).inner_text()[:500] for i in range(stderr.count())]
            page.screenshot(path=str(base / "live.png"), full_page=True)
        finally:
            browser.close()
            timings["total_s"] = round(time.monotonic() - started, 1)
            print("\nlive widget timings:", json.dumps(timings))
            if os.environ.get("RNNBOOK_LIVE_TIMINGS"):  # bench/bench_live.py reads them
                Path(os.environ["RNNBOOK_LIVE_TIMINGS"]).write_text(json.dumps(timings, indent=1) + "\n")

    assert not stderr_text, f"cells showed stderr: {stderr_text}"
    before, after = (_kernel_view(text) for text in (before, after))
    assert len(before) == len(names) and before.keys() == after.keys(), (before, after)
    for name, count in zip(names, sorted(before, key=int)):
        assert after[count] != before[count], f"{name}: the kernel's view did not follow the controls"
    assert not [u for u in blocked if "jupyter" in u or "unpkg" in u or "jsdelivr" in u], blocked
    assert not errors, errors


def _kernel_view(text: str) -> dict:
    """The report cell's dictionary, from its one ``kernel view:`` line among what the cell printed."""
    lines = [line for line in text.splitlines() if line.startswith(KERNEL_VIEW)]
    assert len(lines) == 1, f"expected one {KERNEL_VIEW!r} line in the report cell's output: {text!r}"
    return json.loads(lines[0][len(KERNEL_VIEW) :])


# Measures, in the page, the milliseconds from the reader's input (pointer down, or a dropdown's change)
# to the first animation frame that shows another picture.
ARM = (
    """([cell, before]) => {
    const picture = """
    + PICTURE
    + """;
    const state = window.testMove = {start: null, ms: null};
    const start = () => { if (state.start === null) state.start = performance.now(); };
    for (const type of ['pointerdown', 'change']) {
        document.addEventListener(type, start, {capture: true, once: true});
    }
    const check = () => {
        if (state.start !== null && picture(cell) !== before) {
            state.ms = performance.now() - state.start;
            return;
        }
        requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
}"""
)


def _move_every_control(page, cell, name, timing) -> None:
    """Move each control of the widget in ``cell`` once; assert the picture changes each time."""
    picture = lambda: page.evaluate(PICTURE, cell.element_handle())  # noqa: E731
    latencies = []

    def changed_after(action, what):
        before = picture()
        page.evaluate(ARM, [cell.element_handle(), before])
        action()
        page.wait_for_function("() => window.testMove.ms !== null", timeout=5_000, polling=20)
        latencies.append(round(page.evaluate("() => window.testMove.ms"), 1))
        assert picture() != before, f"{name}: {what} did not change the picture"

    widget = cell.locator(".rnnbook-widget").first
    for i in range(widget.locator(".widget-toggle-buttons").count()):
        group = widget.locator(".widget-toggle-buttons").nth(i)
        target = group.locator("button:not(.mod-active)").first
        changed_after(target.click, f"toggle button group {i}")
    for i in range(widget.locator(".widget-dropdown select").count()):
        select = widget.locator(".widget-dropdown select").nth(i)
        options = select.locator("option").all_inner_texts()
        current = select.evaluate("s => s.options[s.selectedIndex].text")
        other = next(o for o in options if o != current)
        changed_after(lambda select=select, other=other: select.select_option(label=other), f"dropdown {i}")
    if widget.locator(".widget-play button").count():  # Play first: at the slider's end it would stop
        button = widget.locator(".widget-play button").first
        changed_after(button.click, "Play")
        button.click()
    for i in range(widget.locator(".noUi-target").count()):
        # A click on the slider's track, at the end away from the handle (JupyterLab keeps keys like
        # Home and End for itself).
        track = widget.locator(".noUi-target").nth(i)
        handle = track.locator(".noUi-handle").first
        at_max = handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax")
        box = track.bounding_box()
        x = 2 if at_max else box["width"] - 2  # (no slider starts at an end and ends back there)
        where = {"x": x, "y": box["height"] / 2}
        changed_after(lambda track=track, where=where: track.click(position=where), f"slider {i}")
    assert latencies, f"{name}: no control found"
    timing["browser_update_ms"] = latencies
