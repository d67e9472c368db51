"""Split-conformal prediction intervals (rnnbook.intervals)."""

import numpy as np
import pytest

from rnnbook.intervals import check_levels, conformal_half_widths, interval_coverage, prediction_intervals


def test_coverage_on_a_series_with_known_noise_is_the_level():
    # A weekly season plus Gaussian noise, forecast 3 steps ahead by the seasonal naive forecast; the
    # first 2,500 forecasts calibrate, the next 2,500 are the test.
    from rnnbook.models.seasonal import SeasonalNaive

    rng = np.random.default_rng(0)
    n, n_steps, horizon = 5100, 14, 3
    series = 10 * np.sin(2 * np.pi * np.arange(n) / 7) + rng.normal(0, 2, n)
    X = np.stack([series[i : i + n_steps] for i in range(n - n_steps - horizon + 1)])[:, :, None]
    y = np.stack([series[i + n_steps : i + n_steps + horizon] for i in range(len(X))])
    forecasts = SeasonalNaive(season=7, horizon=horizon).predict(X)
    calib, test = slice(0, 2500), slice(2500, 5000)
    widths = conformal_half_widths(y[calib] - forecasts[calib], levels=(80, 95))
    # The errors are the difference of two N(0, 2) draws: N(0, 2 * sqrt(2)), so the 95 % half-width is
    # about 1.96 * 2.83 = 5.5.
    assert widths[95] == pytest.approx(np.full(3, 1.96 * 2 * np.sqrt(2)), rel=0.08)
    coverage = interval_coverage(y[test], forecasts[test], widths)
    for level in (80, 95):
        assert abs(coverage[level]["coverage"] - level / 100) < 0.03
        assert len(coverage[level]["per_step"]) == horizon
    assert coverage[80]["mean_width"] < coverage[95]["mean_width"]


def test_half_widths_are_the_conformal_order_statistic():
    errors = np.arange(1.0, 10.0)[:, None] * np.array([1.0, -2.0])  # 9 errors, 2 steps
    widths = conformal_half_widths(errors, levels=(80,))
    # ceil((9 + 1) * 0.8) = 8: the 8th smallest absolute error of each step.
    assert widths[80].tolist() == [8.0, 16.0]
    # Too few errors for 95 % (ceil(10 * 0.95) = 10 > 9): an infinite interval, not a guess.
    assert np.isinf(conformal_half_widths(errors, levels=(95,))[95]).all()
    lower, upper = prediction_intervals(np.zeros((1, 2)), widths)[80]
    assert lower.tolist() == [[-8.0, -16.0]] and upper.tolist() == [[8.0, 16.0]]


@pytest.mark.parametrize("levels", [(), (0, 95), (100,), (80.5,), "80"])
def test_bad_levels_are_refused(levels):
    with pytest.raises(ValueError, match="expected percentages between 0 and 100"):
        check_levels(levels)


def test_non_finite_errors_are_refused():
    with pytest.raises(ValueError, match="NaN or infinite"):
        conformal_half_widths([[np.nan]])
