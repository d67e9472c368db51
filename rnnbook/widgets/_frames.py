"""Frame grids: the machinery that keeps every widget interactive in the static HTML book.

A static page has no kernel, so nothing can be computed when a reader moves a slider. Each widget
therefore precomputes one small PNG *frame* per state its controls can select (a few dozen at most)
and lays them out in nested ``ipywidgets.Stack`` containers, one nesting level per control. Every
control's ``index`` is ``jslink``-ed to the ``selected_index`` of the stacks of its level, and a
``Play`` button is ``jslink``-ed to the time slider. The links are widget models themselves, so the
widget state that the notebook executor embeds in the page (``application/vnd.jupyter.widget-state+json``)
carries the frames *and* the wiring: the html-manager in the browser switches frames with no kernel.
In a live kernel the same links work in the front end, and a Python observer mirrors the selection so
that ``view.shown_key()`` tells which frame is on screen (used by the tests and the benchmark).

Frames are quantized to a small palette before they are stored: the figures are line art, so a
32-colour PNG is 3-4x smaller than matplotlib's RGBA output and looks the same.

Used in: every widget of :mod:`rnnbook.widgets`.
"""

from __future__ import annotations

import dataclasses
import io
import itertools
from collections.abc import Mapping, Sequence

# Imported inside the functions that use them, so `import rnnbook` stays backend-free and fast: Matplotlib,
# Pillow, ipywidgets and IPython.

#: Colours kept per frame; line-art figures with a few series look identical with 32.
PALETTE_COLORS = 32


class FrameListeners:
    """Who is told that a frame was drawn: the progress note of the widget being computed, if any.

    The one owner of that state. A note listens from :meth:`push` to :meth:`pop`; while notes nest (a
    widget computed inside another), the innermost one hears each frame.
    """

    def __init__(self):
        self._callbacks = []

    def push(self, callback) -> None:
        self._callbacks.append(callback)

    def pop(self, callback) -> None:
        self._callbacks.remove(callback)

    def listening(self) -> tuple:
        """The callbacks listening now, innermost last."""
        return tuple(self._callbacks)

    def frame_drawn(self) -> None:
        if self._callbacks:
            self._callbacks[-1]()


#: Told after each frame :func:`png_bytes` draws (listened to while a widget is computed, to show progress).
frame_listeners = FrameListeners()


def figure(figsize=(7.2, 3.6), dpi: int = 80):
    """A matplotlib figure detached from pyplot (no global state, never shown twice in a notebook).

    Args:
        figsize: size in inches.
        dpi: dots per inch; 80 keeps a 7-inch frame about 580 pixels wide.

    Returns:
        A ``matplotlib.figure.Figure`` drawing on the Agg canvas.

    Example:

    >>> fig = figure((2, 1))
    >>> fig.get_size_inches().tolist()
    [2.0, 1.0]
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


def png_bytes(fig, colors: int = PALETTE_COLORS) -> bytes:
    """Render ``fig`` to a palette PNG (``colors`` colours) and return the bytes.

    Args:
        fig: a matplotlib figure.
        colors: palette size; ``0`` keeps matplotlib's full-colour PNG.

    Returns:
        The PNG file as bytes.

    Example:

    >>> fig = figure((2, 1))
    >>> _ = fig.add_subplot().plot([0, 1], [1, 0])
    >>> png_bytes(fig)[:4] == b"\\x89PNG"
    True
    """
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", facecolor="white")
    frame_listeners.frame_drawn()
    if not colors:
        return buffer.getvalue()
    from PIL import Image

    image = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    small = image.quantize(colors=colors, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    out = io.BytesIO()
    small.save(out, format="png", optimize=True)
    return out.getvalue()


@dataclasses.dataclass(frozen=True)
class Control:
    """One control of a frame grid: a name, its option labels and how it is drawn.

    Args:
        name: key of the control in ``FrameView.controls`` and in the frame keys.
        description: label shown next to the control.
        options: the labels of the states, in order; frame keys use their positions.
        kind: ``"slider"`` (a ``SelectionSlider``), ``"toggle"`` (``ToggleButtons``) or
            ``"dropdown"``.
        play: add a ``Play`` button that steps through the options (sliders only).
        initial: index selected when the widget is shown.
    """

    name: str
    description: str
    options: Sequence[str]
    kind: str = "slider"
    play: bool = False
    initial: int = 0


class FrameView:
    """Controls plus nested stacks of precomputed frames, wired client-side with ``jslink``.

    Args:
        controls: the controls, outermost stack first.
        frames: ``{key: png_bytes or html_str}`` with one entry for every combination of option
            indices (``key`` is a tuple of indices in the order of ``controls``); a ``str`` frame is
            shown as HTML (used for combinations that have nothing to draw).
        title: HTML shown above the controls.
        footer: HTML shown below the frames (e.g. how the frames were computed).
        play_interval_ms: delay between two frames when ``Play`` runs.
        data: the numbers the frames were drawn from (each explorer says what it holds), kept for
            readers and tests (default ``None``).
        cached: whether the frames came from the widget cache (default ``False``: just computed).

    Attributes:
        widget: the ``ipywidgets.VBox`` to display.
        control_list: the :class:`Control` descriptions, outermost stack first (the frame keys' order).
        controls: ``{name: control widget}``.
        play: the ``Play`` widget or ``None``.
        data: the ``data`` argument.
        cached: the ``cached`` argument (:func:`rnnbook.widgets._cache.cached_view` passes ``True`` for
            a view read back from the widget cache).

    Example:

    >>> view = FrameView([Control("t", "t", ["0", "1"])], {(0,): "<b>0</b>", (1,): "<b>1</b>"})
    >>> view.select(t=1); view.shown_key()
    (1,)
    """

    def __init__(
        self,
        controls: Sequence[Control],
        frames: Mapping[tuple, bytes | str],
        *,
        title: str = "",
        footer: str = "",
        play_interval_ms: int = 600,
        data=None,
        cached: bool = False,
    ):
        import ipywidgets as w

        self.data = data
        self.cached = cached
        self.control_list = list(controls)
        self.frames = dict(frames)
        self.options = {"title": title, "footer": footer, "play_interval_ms": play_interval_ms}
        shape = tuple(len(c.options) for c in self.control_list)
        missing = [k for k in itertools.product(*map(range, shape)) if k not in self.frames]
        if missing:
            raise ValueError(
                f"{len(missing)} frame(s) missing, e.g. {missing[0]}; a frame grid needs one "
                "frame per combination of options, or a control would show nothing."
            )
        self.controls: dict[str, w.Widget] = {}
        self.play = None
        rows = []
        for c in self.control_list:
            self.controls[c.name] = control = _make_control(w, c)
            if c.play:
                self.play = w.Play(
                    value=c.initial,
                    min=0,
                    max=len(c.options) - 1,
                    step=1,
                    interval=play_interval_ms,
                    description="Play",
                    show_repeat=True,
                )
                w.jslink((self.play, "value"), (control, "index"))
                rows.append(w.HBox([self.play, control]))
            else:
                rows.append(control)
        self._levels: list[list] = [[] for _ in self.control_list]  # the stacks of each nesting level
        self._leaves: dict[tuple, w.Widget] = {}
        self.root = self._build(w, ())
        for c, stacks in zip(self.control_list, self._levels):
            for stack in stacks:
                w.jslink((self.controls[c.name], "index"), (stack, "selected_index"))
            # The front end follows the jslinks; this mirror keeps the kernel's view in step too.
            self.controls[c.name].observe(self._mirror(stacks), names="index")
        parts = [w.HTML(title)] if title else []
        parts += rows + [self.root]
        if footer:
            parts.append(w.HTML(footer))
        self.widget = w.VBox(parts, layout=w.Layout(width="100%"))
        self.widget.add_class("rnnbook-widget")

    @property
    def spec(self) -> list:
        """Deprecated: :attr:`control_list`."""
        from rnnbook._checks import warn_deprecated

        warn_deprecated("FrameView.spec", "FrameView.control_list")
        return self.control_list

    def _build(self, w, prefix: tuple):
        level = len(prefix)
        if level == len(self.control_list):
            frame = self.frames[prefix]
            if isinstance(frame, (bytes, bytearray)):
                leaf = w.Image(value=bytes(frame), format="png", layout=w.Layout(max_width="100%"))
            else:
                leaf = w.HTML(frame)
            self._leaves[prefix] = leaf
            return leaf
        c = self.control_list[level]
        stack = w.Stack(
            [self._build(w, prefix + (i,)) for i in range(len(c.options))], selected_index=c.initial
        )
        self._levels[level].append(stack)
        return stack

    @staticmethod
    def _mirror(stacks):
        def update(change):
            for stack in stacks:
                stack.selected_index = change["new"]

        return update

    def select(self, **indices: int) -> None:
        """Select options by index, e.g. ``view.select(t=3)``, as a reader moving the controls would."""
        for name, index in indices.items():
            self.controls[name].index = index

    def shown_key(self) -> tuple:
        """The key of the frame on screen: follow ``selected_index`` down the nested stacks."""
        node, key = self.root, ()
        while hasattr(node, "selected_index"):
            key += (node.selected_index,)
            node = node.children[node.selected_index]
        return key

    def shown_frame(self) -> bytes | str:
        """The frame on screen (PNG bytes or an HTML string)."""
        leaf = self._leaves[self.shown_key()]
        return leaf.value

    def embedded_bytes(self) -> int:
        """Bytes of frames this view embeds in a page (PNG bytes plus HTML text)."""
        return sum(
            len(f) if isinstance(f, (bytes, bytearray)) else len(f.encode()) for f in self.frames.values()
        )

    def _ipython_display_(self):
        # A notebook cell ending with a view shows the widget, not the object's repr.
        from IPython.display import display

        display(self.widget)


def _make_control(w, c: Control):
    options = list(c.options)
    style = {"description_width": "initial"}
    if c.kind == "slider":
        return w.SelectionSlider(
            options=options,
            index=c.initial,
            description=c.description,
            continuous_update=True,
            style=style,
            layout=w.Layout(width="min(420px, 90%)"),
        )
    if c.kind == "toggle":
        return w.ToggleButtons(options=options, index=c.initial, description=c.description, style=style)
    if c.kind == "dropdown":
        return w.Dropdown(options=options, index=c.initial, description=c.description, style=style)
    raise ValueError(
        f"Received an invalid value for argument `kind`, expected 'slider', 'toggle' or "
        f"'dropdown', got {c.kind!r}."
    )
