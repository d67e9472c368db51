"""The standard baselines (rnnbook.models.statistical): ETS, auto-ARIMA and Theta against statsmodels."""

import warnings

import numpy as np
import pytest

from rnnbook.models.statistical import (
    AutoArimaForecaster,
    EtsForecaster,
    ThetaForecaster,
    training_series,
)


def _windows(series, n_steps):
    X = np.stack([series[i : i + n_steps] for i in range(len(series) - n_steps)])[:, :, None]
    return X, series[n_steps:]


def _seasonal_series(n=600, season=7, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return 10 + 3 * np.sin(2 * np.pi * t / season) + 0.02 * t + np.cumsum(rng.normal(0, 0.2, n))


def test_training_series_of_independent_windows_is_the_last_one_and_its_targets():
    X = np.arange(12.0).reshape(3, 4, 1) * np.array([1, -1, 2])[:, None, None]
    assert training_series(X, [[1.0], [2.0], [3.0]]).tolist() == [16.0, 18.0, 20.0, 22.0, 3.0]


@pytest.mark.parametrize("choice", [(None, False, None), ("add", True, None), ("add", False, "add")])
def test_ets_forecast_follows_the_statsmodels_recursions(choice):
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    series = _seasonal_series(60)
    model = EtsForecaster(season=7, horizon=9)
    model.choice_ = choice
    model.params_ = {"alpha": 0.3, "beta": 0.05, "gamma": 0.1, "phi": 0.9}
    window = series[None, :, None]
    level, slope, seasons = model._states(series[None])
    trend, damped, season = choice
    reference = ETSModel(
        series,
        error="add",
        trend=trend,
        damped_trend=damped,
        seasonal=season,
        seasonal_periods=7 if season else None,
        initialization_method="known",
        initial_level=level[0],
        initial_trend=slope[0] if trend else None,
        initial_seasonal=seasons[0] if season else None,
    )
    names = reference.param_names
    values = {
        "smoothing_level": 0.3,
        "smoothing_trend": 0.05,
        "smoothing_seasonal": 0.1,
        "damping_trend": 0.9,
    }
    expected = reference.smooth([values[n] for n in names]).forecast(9)
    np.testing.assert_allclose(model.predict(window)[0], expected, rtol=1e-5)


def test_ets_chooses_a_seasonal_model_for_a_seasonal_series_and_beats_the_naive_forecast():
    series = _seasonal_series(800)
    X, y = _windows(series, 28)
    model = EtsForecaster(season=7, horizon=1).fit(X[:600], y[:600])
    assert model.choice_[2] == "add" and model.name.endswith(",A)")
    errors = np.abs(model.predict(X[600:])[:, 0] - y[600:]).mean()
    naive = np.abs(X[600:, -1, 0] - y[600:]).mean()
    assert errors < 0.7 * naive
    assert model.with_horizon(5).predict(X[600:602]).shape == (2, 5) and model.count_params() > 3


def test_theta_without_season_is_statsmodels_theta_forecast():
    from statsmodels.tsa.forecasting.theta import ThetaModel

    rng = np.random.default_rng(1)
    window = 5 + np.cumsum(rng.normal(0.1, 1, 40))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = ThetaModel(window, deseasonalize=False).fit(use_mle=False)
    model = ThetaForecaster(season=1, horizon=6)
    model.params_ = {"alpha": float(reference.params["alpha"])}
    np.testing.assert_allclose(model.predict(window[None, :, None])[0], reference.forecast(6), rtol=1e-6)


def test_theta_removes_and_restores_the_season():
    t = np.arange(300.0)
    series = 5 + 2 * np.sin(2 * np.pi * t / 7)  # a pure season: the forecast is the season itself
    X, y = _windows(series, 28)
    model = ThetaForecaster(season=7, horizon=7).fit(X[:200], y[:200])
    expected = np.stack([series[i + 28 : i + 35] for i in range(200, 250)])
    np.testing.assert_allclose(model.predict(X[200:250]), expected, atol=0.05)


def test_auto_arima_forecasts_with_the_chosen_model():
    rng = np.random.default_rng(2)
    noise = rng.normal(0, 1, 260)
    series = np.zeros(260)
    for t in range(1, 260):
        series[t] = 0.7 * series[t - 1] + noise[t]
    X, y = _windows(series, 20)
    model = AutoArimaForecaster(season=1, horizon=3, max_fit_steps=200).fit(X[:180], y[:180])
    assert model.seasonal_order[3] in (0, 1) and model.order[0] >= 1  # it found the AR term
    window = X[200, :, 0]
    expected = model.results_.apply(window).forecast(3)
    np.testing.assert_allclose(model.predict(X[200:201])[0], expected, rtol=1e-4, atol=1e-6)


def test_the_baselines_train_on_a_users_daily_series():
    import pandas as pd

    from rnnbook.frames import frame_dataset
    from rnnbook.training import train

    days = pd.date_range("2020-01-01", periods=500, freq="D")
    ds = frame_dataset(
        pd.Series(_seasonal_series(500), days, name="x"), n_steps=28, horizon=3, layout="vector"
    )
    assert ds.units.season == 7
    for name in ("ets", "theta"):
        result = train(name, ds, horizon=3, retarget=True, progress=False)
        row = result.row()
        assert row["horizon"] == 3 and row["fit_seconds"] > 0
        assert row["test_mase"] < 1.5  # scaled by the weekly seasonal naive error
