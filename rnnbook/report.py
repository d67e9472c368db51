"""A backtest as a page to look at: ``rnnbook leaderboard --csv ... --backtest K --report DIR``.

:func:`write_report` writes ``DIR/index.html`` and the PNG figures it shows beside it (no network is
needed to view it): the ranked table (mean and spread over the origins), each model's error at every
origin, the forecasts of the best models over the last test block with their prediction intervals, and
the error by step ahead. Every file is written beside its final name and renamed over it.

Used in: ``rnnbook leaderboard --csv --backtest K --report DIR``.
"""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np

from rnnbook._files import write_atomically

# Imported inside the functions that use them, so `import rnnbook` stays backend-free and fast: Matplotlib and
# pandas.

#: How many of the best models the forecast figure draws.
N_BEST = 2


def _save(fig, path: Path) -> str:
    import matplotlib.pyplot as plt

    write_atomically(path, lambda tmp: fig.savefig(tmp, format="png", dpi=110))
    plt.close(fig)
    return path.name


def _spread_figure(rows, metric: str, order):
    """Each model's ``metric`` over every step ahead at each origin: the spread the ranking averages."""
    import matplotlib.pyplot as plt
    import pandas as pd

    per_origin = pd.DataFrame(rows).groupby(["model", "origin"])[metric].mean().reset_index()
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(order) + 1.5), layout="constrained")
    for i, model in enumerate(order):
        values = per_origin.loc[per_origin["model"] == model, metric].to_numpy()
        ax.plot(values, np.full(len(values), i), "o", color="tab:blue", alpha=0.7)
        ax.plot([values.mean()], [i], "|", color="tab:red", markersize=16)
    ax.set_yticks(range(len(order)), order)
    ax.invert_yaxis()
    ax.set_xlabel(f"{metric.upper()} at each origin (red: the mean)")
    ax.set_title("Backtest spread over the origins")
    return fig


def _forecast_figure(forecasts: dict, models, levels):
    """The best models' one-step forecasts over the last test block, with their intervals."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(
        len(models), 1, figsize=(8, 2.8 * len(models)), layout="constrained", squeeze=False
    )
    for ax, model in zip(axes[:, 0], models):
        block = forecasts[model]
        dates = block["dates"]
        ax.plot(dates, block["truth"][:, 0], "o-", color="tab:blue", markersize=3, label="actual")
        ax.plot(dates, block["forecast"][:, 0], "x-", color="tab:red", markersize=4, label="forecast")
        for level in sorted(levels, reverse=True):
            ax.fill_between(
                dates,
                block["lower"][level][:, 0],
                block["upper"][level][:, 0],
                color="tab:red",
                alpha=0.12 if level == max(levels) else 0.25,
                label=f"{level}% interval",
            )
        ax.set_title(f"{model}: one step ahead over the last test block")
        ax.legend(loc="upper left", fontsize=8)
        ax.tick_params(axis="x", labelrotation=30)
    return fig


def _per_step_figure(summary_by_step, metric: str, order):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3.5), layout="constrained")
    for model in order:
        table = summary_by_step.xs(model, level="model")
        table = table[table.index != "all"]
        steps = np.asarray(table.index, dtype=int)
        ax.errorbar(
            steps, table[f"{metric}_mean"], yerr=table[f"{metric}_std"], marker="o", capsize=3, label=model
        )
    ax.set_xlabel("step ahead")
    ax.set_ylabel(f"{metric.upper()} (mean ± std over the origins)")
    ax.set_title("Error by step ahead")
    ax.legend(fontsize=8)
    return fig


def write_report(directory, backtest, summary, metric: str = "mae", title: str = "") -> Path:
    """Write ``directory/index.html`` and its figures; returns the page's path.

    Args:
        directory: where the page goes (created if missing).
        backtest: a :class:`rnnbook.backtest.Backtest`.
        summary: its ranked summary over every step, one row per model (what ``rnnbook leaderboard
            --backtest`` prints), indexed by the model's label.
        metric: the metric the models are ranked by.
        title: what the page is about (the CSV file).

    Returns:
        The ``Path`` of ``index.html``.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    labels = {label.split(" = ")[0]: label for label in summary.index}
    order = list(labels)  # best first
    best = [m for m in order if m in backtest.forecasts][:N_BEST]
    spread = _save(_spread_figure(backtest.rows, metric, order), directory / "spread.png")
    figures = [("Spread over the origins", spread)]
    if best:  # (every model failed at the last origin: nothing to draw)
        figure = _forecast_figure(backtest.forecasts, best, backtest.levels)
        figures.append(("Forecasts with prediction intervals", _save(figure, directory / "forecasts.png")))
    figure = _per_step_figure(backtest.summary(), metric, order)
    figures.append(("Error by step ahead", _save(figure, directory / "per_step.png")))
    table = summary.to_html(float_format=lambda v: f"{v:.4g}", na_rep="–", border=0)
    images = "\n".join(
        f'<h2>{html.escape(caption)}</h2>\n<img src="{name}" alt="{html.escape(caption)}">'
        for caption, name in figures
    )
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>rnnbook backtest: {html.escape(title)}</title>
<style>body{{font-family:sans-serif;max-width:1100px;margin:2em auto}} table{{border-collapse:collapse;
font-size:0.85em}} td,th{{padding:2px 8px;text-align:right}} tr:nth-child(even){{background:#f3f3f3}}
img{{max-width:100%}}</style></head>
<body>
<h1>Backtest of {html.escape(title)}</h1>
<p>Every model refitted at {len({r["origin"] for r in backtest.rows})} origins; ranked by the mean
{metric.upper()} over them (every step ahead). Coverage: how often the conformal prediction intervals held
the truth in the test blocks.</p>
{table}
{images}
</body></html>
"""
    path = directory / "index.html"
    write_atomically(path, lambda tmp: Path(tmp).write_text(page, encoding="utf-8"))
    return path
