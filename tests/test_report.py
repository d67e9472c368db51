"""The backtest's HTML report (rnnbook.report)."""

import numpy as np
import pandas as pd

from rnnbook.backtest import run_backtest
from rnnbook.report import write_report


def test_the_report_is_a_page_with_its_figures_beside_it(tmp_path):
    days = pd.date_range("2024-01-01", periods=200, freq="D")
    frame = pd.DataFrame({"y": np.sin(np.arange(200.0)) + np.arange(200.0) % 7}, index=days)
    bt = run_backtest(
        frame, "y", ["seasonal_naive", "naive_n_steps"], n_steps=14, horizon=2, n_origins=2, spacing=7
    )
    summary = bt.summary().xs("all", level="step").sort_values("mae_mean")
    path = write_report(tmp_path / "out", bt, summary, "mae", title="y.csv")
    page = path.read_text()
    assert path.name == "index.html" and "Backtest of y.csv" in page and "2 origins" in page
    assert page.index("seasonal_naive") < page.index("naive_n_steps")  # the ranked table
    for png in ("spread.png", "forecasts.png", "per_step.png"):
        assert f'src="{png}"' in page and (tmp_path / "out" / png).read_bytes()[:4] == b"\x89PNG"
    assert "http" not in page  # nothing to fetch
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "forecasts.png",
        "index.html",
        "per_step.png",
        "spread.png",
    ]
