"""The book's figures and tables: a few helpers so the chapters draw series, forecasts and curves alike,
and show every table's numbers the same way (:func:`show_table`).

Every plotting helper draws on ``ax`` (a new figure when ``None``), gives the axes a title, axis labels
and a legend, and returns the axes; an axis of epochs is labelled with whole epochs only. Nothing here
trains or computes a result: the chapters compute, these functions only draw.

Used in: book/01_sequences, book/02_recurrent_neurons, book/03_training_rnns, book/04_forecasting,
book/05_unstable_gradients, book/06_lstm_gru, book/07_convolutions_wavenet, book/08_leaderboard.

Example:

>>> import numpy as np
>>> from rnnbook.plotting import plot_series
>>> ax = plot_series(np.sin(np.linspace(0, 6, 50)), y_true=[0.1], y_pred=[0.0], title="One series")
>>> ax.get_title()
'One series'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

# Imported inside the functions that use them, so `import rnnbook` stays backend-free and fast: Matplotlib,
# statsmodels and pandas.

FORECAST_STYLE = {"marker": "x", "color": "tab:red", "markersize": 8, "linestyle": "-"}
TARGET_STYLE = {"marker": "o", "color": "tab:blue", "markerfacecolor": "white", "linestyle": "none"}


def _axes(ax=None, figsize=(7, 3.5)):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def _flat(series) -> np.ndarray:
    series = np.asarray(series, dtype=float)
    return series.reshape(len(series), -1)[:, 0] if series.ndim > 1 else series


def plot_series(
    series,
    y_true=None,
    y_pred=None,
    *,
    ax=None,
    title: str = "A time series",
    xlabel: str = "time step $t$",
    ylabel: str = "$x(t)$",
    label: str = "input $x(t)$",
    pred_label: str = "forecast",
    true_label: str = "target",
):
    """One input window with, after it, the target values and a forecast of them.

    Args:
        series: the input window, shape ``(steps,)`` or ``(steps, 1)``.
        y_true: the values after the window (``horizon`` of them), or ``None``.
        y_pred: a forecast of those values, or ``None``.
    """
    ax = _axes(ax)
    series = _flat(series)
    n = len(series)
    ax.plot(np.arange(n), series, ".-", color="tab:gray", label=label)
    if y_true is not None:
        y_true = np.ravel(y_true)
        ax.plot(np.arange(n, n + len(y_true)), y_true, label=true_label, **TARGET_STYLE)
    if y_pred is not None:
        y_pred = np.ravel(y_pred)
        ax.plot(np.arange(n, n + len(y_pred)), y_pred, label=pred_label, **FORECAST_STYLE)
    ax.axvline(n - 0.5, color="k", alpha=0.2, linestyle=":")
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    ax.grid(alpha=0.3)
    ax.legend(loc="best", fontsize="small")
    return ax


def plot_series_grid(
    X,
    y_true=None,
    forecasts: Mapping[str, np.ndarray] | None = None,
    *,
    n: int = 3,
    title: str = "Input windows and forecasts",
    ylabel: str = "$x(t)$",
):
    """``n`` windows side by side, each with its targets and any number of named forecasts.

    ``forecasts`` maps a label to an array of shape ``(batch, horizon)``.
    """
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, n, figsize=(4 * n, 3.2), sharey=True, layout="constrained")
    axes = np.atleast_1d(axes)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, ax in enumerate(axes):
        series = _flat(X[i])
        steps = len(series)
        ax.plot(np.arange(steps), series, ".-", color="tab:gray", label="input")
        if y_true is not None:
            y = np.ravel(y_true[i])
            ax.plot(np.arange(steps, steps + len(y)), y, label="target", **TARGET_STYLE)
        for k, (label, pred) in enumerate((forecasts or {}).items()):
            p = np.ravel(pred[i])
            ax.plot(
                np.arange(steps, steps + len(p)),
                p,
                marker="x",
                linestyle="-",
                color=colours[(k + 3) % len(colours)],
                label=label,
            )
        ax.axvline(steps - 0.5, color="k", alpha=0.2, linestyle=":")
        ax.set(title=f"series {i}", xlabel="time step $t$")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel(ylabel)
    axes[-1].legend(loc="best", fontsize="small")
    fig.suptitle(title)
    return axes


def integer_ticks(ax, axis: str = "x"):
    """Tick ``ax``'s ``axis`` ("x" or "y") at whole numbers only (epochs, steps): no "2.5" epoch.

    Example:

    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([1, 2, 3], [0.3, 0.2, 0.1])
    >>> ax = integer_ticks(ax)
    >>> all(float(t).is_integer() for t in ax.get_xticks())
    True
    >>> plt.close(fig)
    """
    from matplotlib.ticker import MaxNLocator

    getattr(ax, f"{axis}axis").set_major_locator(MaxNLocator(integer=True))
    return ax


def plot_learning_curves(
    histories: Mapping[str, Mapping[str, Sequence[float]]],
    *,
    ax=None,
    key: str = "loss",
    title: str = "Learning curves",
    log: bool = True,
    validation: bool = True,
):
    """Training (solid) and validation (dashed) curves of several runs, one colour per run.

    ``histories`` maps a run's label to a Keras history dict (``{"loss": [...], "val_loss": [...]}``).
    """
    import matplotlib.pyplot as plt

    ax = _axes(ax)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for k, (label, history) in enumerate(histories.items()):
        colour = colours[k % len(colours)]
        if key in history:
            epochs = np.arange(1, len(history[key]) + 1)
            ax.plot(epochs, history[key], "-", color=colour, label=f"{label} (train)")
        if validation and f"val_{key}" in history:
            epochs = np.arange(1, len(history[f"val_{key}"]) + 1)
            ax.plot(epochs, history[f"val_{key}"], "--", color=colour, label=f"{label} (validation)")
    if log:
        ax.set_yscale("log")
    integer_ticks(ax)
    ax.set(title=title, xlabel="epoch", ylabel=key.replace("_", " "))
    ax.grid(alpha=0.3, which="both")
    ax.legend(loc="best", fontsize="small")
    return ax


def plot_per_step(
    curves: Mapping[str, np.ndarray],
    *,
    ax=None,
    title: str,
    ylabel: str,
    xlabel: str = "time step $t$",
    log: bool = True,
    marker: str = ".",
):
    """Several curves indexed by time step (gradient norms, influence of an input...), log scale."""
    ax = _axes(ax)
    for label, values in curves.items():
        values = np.asarray(values, dtype=float)
        ax.plot(np.arange(len(values)), values, marker=marker, label=label)
    if log:
        ax.set_yscale("log")
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    ax.grid(alpha=0.3, which="both")
    ax.legend(loc="best", fontsize="small")
    return ax


def plot_blowup(
    variants: Mapping[str, Sequence], failed: Mapping[str, Sequence[bool]], *, seeds, title_prefix=""
):
    """How each variant of a training fares, seed by seed: one column per variant, the training loss per
    epoch on top and the gradient's global norm after every update below (log scales; NaN not drawn).

    ``variants`` maps a label to one :class:`rnnbook.training.TrainResult` per seed, trained with
    ``gradient_norm=True``; ``failed`` maps the same labels to whether each seed's run failed
    (:func:`rnnbook.compare.training_failed`), counted in the column's title. Every column gets the same
    axes, so a run that is NaN from its first update still shows its initial point at update 0.

    Used in: book/05_unstable_gradients.
    """
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(
        2,
        len(variants),
        figsize=(3.5 * len(variants), 6.4),
        layout="constrained",
        sharey="row",
        squeeze=False,
    )
    for column, (label, runs) in zip(axes.T, variants.items()):
        histories = {f"seed {seed}": r.history for seed, r in zip(seeds, runs)}
        plot_learning_curves(
            histories,
            ax=column[0],
            validation=False,
            title=f"{title_prefix}{label}: fails in {sum(failed[label])} of {len(runs)}",
        )
        plot_per_step(
            {seed: h["gradient_norm"] for seed, h in histories.items()},
            ax=column[1],
            title="",
            xlabel="update (0: the initial weights)",
            ylabel="",
        )
        epochs = max(len(h["loss"]) for h in histories.values())
        updates = max(len(h["gradient_norm"]) for h in histories.values()) - 1
        column[0].set(xlim=(0.5, epochs + 0.5), ylabel="")
        column[1].set_xlim(-1, updates + 1)
    axes[0, 0].set_ylabel("training loss (MSE, log scale; NaN not drawn)")
    axes[1, 0].set_ylabel("gradient norm (log scale; NaN not drawn)")
    return axes


def plot_bars(
    values: Mapping[str, float],
    *,
    ax=None,
    title: str,
    ylabel: str,
    xlabel: str = "model",
    log: bool = False,
    reference: Mapping[str, float] | None = None,
    label: str = "validation MSE",
):
    """One bar per entry (e.g. the validation MSE of each model), with optional horizontal references."""
    ax = _axes(ax, figsize=(max(6, 0.55 * len(values) + 2), 3.8))
    names = list(values)
    ax.bar(np.arange(len(names)), [values[n] for n in names], color="tab:blue", label=label)
    for k, (ref_label, ref) in enumerate((reference or {}).items()):
        ax.axhline(ref, linestyle="--", color=("tab:red", "tab:green", "tab:orange")[k % 3], label=ref_label)
    ax.set_xticks(np.arange(len(names)), names, rotation=45, ha="right")
    if log:
        ax.set_yscale("log")
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    ax.grid(alpha=0.3, axis="y", which="both")
    ax.legend(loc="best", fontsize="small")
    return ax


def plot_acf(
    values,
    nlags: int = 40,
    *,
    ax=None,
    title: str = "Autocorrelation",
    label: str = "ACF",
    confidence: bool = True,
):
    """The sample autocorrelation function of a 1-D series (statsmodels' ``acf``) as a stem plot.

    The shaded band is the approximate 95 % interval ``±1.96/sqrt(n)`` of a white-noise series.
    """
    from statsmodels.tsa.stattools import acf

    ax = _axes(ax)
    values = np.asarray(values, dtype=float).ravel()
    r = acf(values, nlags=nlags, fft=True)
    lags = np.arange(len(r))
    ax.vlines(lags, 0, r, color="tab:blue")
    ax.plot(lags, r, "o", color="tab:blue", markersize=4, label=label)
    if confidence:
        bound = 1.96 / np.sqrt(len(values))
        ax.fill_between(lags, -bound, bound, color="tab:gray", alpha=0.25, label="95% band of white noise")
    ax.axhline(0, color="k", linewidth=0.8)
    ax.set(title=title, xlabel="lag $k$ (steps)", ylabel="autocorrelation $r_k$")
    ax.grid(alpha=0.3)
    ax.legend(loc="best", fontsize="small")
    return ax


def show_table(table, *, digits: int = 4, formats=None, caption: str | None = None, na: str = "–"):
    """``table`` (a DataFrame or Series) styled for reading, as every chapter shows its tables.

    Every number is written for a reader, not as pandas' six decimals: a float with ``digits``
    significant digits (an MSE such as 0.002911, 1.235e-05 when tiny), a whole number -- an integer
    column, or a float column holding only whole numbers (parameter counts beside a NaN) -- as an
    integer with thousands separators, a float index or column label as ``0.5`` (not ``0.500000``), a
    missing value as ``na``. ``formats`` overrides that for some columns (``{"ratio": "{:.2f}"}``) or
    for all of them (one format such as ``"{:.1%}"``); ``caption`` is shown above the table.

    Returns a pandas ``Styler``: a notebook shows it as an HTML table; the data are not changed.

    Used in: book/01_sequences, book/03_training_rnns, book/04_forecasting, book/05_unstable_gradients,
    book/06_lstm_gru, book/07_convolutions_wavenet, book/08_leaderboard.

    Example:

    >>> import pandas as pd
    >>> t = pd.DataFrame({"val_mse": [0.002910564, 1.23456e-05], "params": [12345.0, float("nan")]},
    ...                  index=pd.Index([0.5, 1.0], name="rho"))
    >>> html = show_table(t, caption="two runs").to_html()
    >>> [s in html for s in ("0.002911", "1.235e-05", "12,345", "–", ">0.5<", ">1<", "two runs")]
    [True, True, True, True, True, True, True]
    >>> "0.500000" in html or "12345.0" in html
    False
    """
    import pandas as pd

    frame = table.to_frame() if isinstance(table, pd.Series) else table
    if isinstance(formats, str):
        formats = {column: formats for column in frame.columns}
    formats = dict(formats or {})
    for column in frame.columns:
        if column in formats:
            continue
        values = frame[column]
        if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
            continue
        whole = values.dropna()
        if pd.api.types.is_integer_dtype(values) or (len(whole) and (whole % 1 == 0).all()):
            formats[column] = "{:,.0f}"
        else:
            formats[column] = _significant(digits)
    styled = frame.style.format(formats, na_rep=na)
    for axis in (0, 1):
        styled = styled.format_index(_label, axis=axis)
    if caption:
        styled = styled.set_caption(caption)
    return styled


def _significant(digits: int):
    """A formatter: ``digits`` significant digits; a number of more integer digits keeps them all."""

    def write(x) -> str:
        if abs(x) >= 10**digits:
            return f"{x:,.0f}"
        return f"{x:.{digits}g}"

    return write


def _label(label) -> str:
    """An index or column label as a reader writes it: a float as ``0.5`` or ``1``."""
    if isinstance(label, float | np.floating):
        return f"{label:g}"
    return str(label)
