"""rnnbook.plotting: whole-epoch axes and the book's one way of showing a table."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from rnnbook import plotting


@pytest.mark.parametrize("epochs", [3, 5, 40])
def test_learning_curves_tick_whole_epochs_only(epochs):
    # Matplotlib's default locator puts ticks at 1.5, 2.5, ... on a short run: no such epoch exists.
    history = {"loss": np.linspace(1, 0.1, epochs), "val_loss": np.linspace(1.2, 0.2, epochs)}
    ax = plotting.plot_learning_curves({"run": history})
    ax.figure.canvas.draw()
    ticks = [t for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]]
    assert len(ticks) >= 2 and all(float(t).is_integer() for t in ticks), ticks
    plt.close(ax.figure)


def test_integer_ticks_changes_what_matplotlib_would_draw():
    # The check above can fail: without integer_ticks, a 3-epoch axis gets half-epoch ticks.
    fig, ax = plt.subplots()
    ax.plot([1, 2, 3], [0.3, 0.2, 0.1])
    fig.canvas.draw()
    assert not all(float(t).is_integer() for t in ax.get_xticks())
    plotting.integer_ticks(ax)
    fig.canvas.draw()
    assert all(float(t).is_integer() for t in ax.get_xticks())
    plt.close(fig)


def _cells(styled) -> list[list[str]]:
    """The displayed text of every body cell, row by row."""
    return [[cell["display_value"] for cell in row[1:]] for row in styled._translate(False, False)["body"]]


def test_show_table_writes_numbers_for_reading():
    table = pd.DataFrame(
        {
            "val_mse": [0.002910564, 0.0004168087, 1.234567e-05],
            "params": [12345.0, 3.0, np.nan],  # whole numbers beside a NaN: a float column
            "epochs": [20, 20, 60],
            "model": ["a", "b", "c"],
        },
        index=pd.Index([0.5, 1.0, 1.5], name="rho"),
    )
    styled = plotting.show_table(table)
    assert _cells(styled) == [
        ["0.002911", "12,345", "20", "a"],
        ["0.0004168", "3", "20", "b"],
        ["1.235e-05", "–", "60", "c"],
    ]
    html = styled.to_html()
    assert all(f">{label}<" in html for label in ("0.5", "1", "1.5"))
    assert "0.500000" not in html and "1.000000" not in html
    pd.testing.assert_frame_equal(styled.data, table)  # the numbers themselves are untouched


def test_show_table_takes_digits_formats_a_caption_and_a_series():
    table = pd.DataFrame({"mse": [0.0123456, 0.5], "ratio": [0.81234, 1.0]}, index=["x", "y"])
    styled = plotting.show_table(table, digits=2, formats={"ratio": "{:.2f}"}, caption="seed 42")
    assert _cells(styled) == [["0.012", "0.81"], ["0.5", "1.00"]]
    assert "<caption>seed 42</caption>" in styled.to_html()
    assert _cells(plotting.show_table(table, formats="{:.1%}")) == [["1.2%", "81.2%"], ["50.0%", "100.0%"]]
    series = pd.Series([2.5e-3, 4.0e-2], index=["a", "b"], name="gradient ratio")
    assert _cells(plotting.show_table(series)) == [["0.0025"], ["0.04"]]
    # a number with more integer digits than `digits` keeps them: an AIC is not 1.235e+04
    assert _cells(plotting.show_table(pd.DataFrame({"AIC": [-12345.6, 17.25]}))) == [["-12,346"], ["17.25"]]


def test_plot_blowup_one_column_per_variant_and_every_seed_drawn():
    from types import SimpleNamespace

    nan = float("nan")
    # 2 epochs of 3 updates: a run that fails at once keeps only its initial gradient norm
    fails = SimpleNamespace(history={"loss": [nan, nan], "gradient_norm": [0.5] + [nan] * 6})
    trains = SimpleNamespace(history={"loss": [1.0, 0.5], "gradient_norm": [0.5, 2, 1, 1, 0.5, 0.4, 0.3]})
    axes = plotting.plot_blowup(
        {"plain": [fails, fails], "rescued": [trains, trains]},
        {"plain": [True, True], "rescued": [False, False]},
        seeds=(1, 2),
        title_prefix="SGD, ",
    )
    assert axes.shape == (2, 2)
    assert [ax.get_title() for ax in axes[0]] == [
        "SGD, plain: fails in 2 of 2",
        "SGD, rescued: fails in 0 of 2",
    ]
    assert [len(ax.get_lines()) for ax in axes[1]] == [2, 2]  # one line per seed, NaN or not
    assert axes[1, 0].get_xlim() == (-1, 7) and axes[0, 0].get_xlim() == (0.5, 2.5)
    np.testing.assert_array_equal(axes[1, 1].get_lines()[0].get_ydata(), trains.history["gradient_norm"])
    plt.close(axes[0, 0].figure)
