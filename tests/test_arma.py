"""Tests of the statsmodels ARMA forecaster."""

import numpy as np
import pytest

import rnnbook
from rnnbook import data
from rnnbook.metrics import mse
from rnnbook.models.arma import ArimaForecaster, arma


@pytest.fixture(scope="module")
def ds():
    return data.synthetic_dataset(300, 50, (200, 60, 40), horizon=3, layout="vector", seed=1)


@pytest.fixture(scope="module")
def fitted(ds):
    return ArimaForecaster(horizon=3, max_fit_windows=20).fit(ds.X_train, ds.y_train)


def test_predictions_equal_statsmodels_apply(ds, fitted):
    predictions = fitted.predict(ds.X_valid)
    assert predictions.shape == (60, 3) and predictions.dtype == np.float32
    for i in range(3):
        expected = fitted.results_.apply(ds.X_valid[i, :, 0].astype(np.float64)).forecast(3)
        np.testing.assert_allclose(predictions[i], expected, rtol=1e-5, atol=1e-5)


def test_beats_the_naive_forecast(ds, fitted):
    naive = np.repeat(ds.X_valid[:, -1, :], 3, axis=1)
    assert mse(ds.y_valid, fitted.predict(ds.X_valid)) < mse(ds.y_valid, naive)


def test_predicting_many_windows_gives_each_window_its_own_forecast(fitted):
    # (How fast is measured in bench/, not asserted here: a busy machine would fail a timed test.)
    windows = data.generate_time_series(2000, 50, seed=2)
    many = fitted.predict(windows)
    assert many.shape == (2000, 3)
    np.testing.assert_allclose(many[[0, 1234, 1999]], fitted.predict(windows[[0, 1234, 1999]]), rtol=1e-6)


def test_other_window_lengths_and_extra_features(fitted):
    x = data.generate_time_series(5, 30, seed=3)
    x = np.concatenate([x, np.full_like(x, 1e6)], axis=-1)  # feature 1 is ignored
    assert np.abs(fitted.predict(x)).max() < 10


def test_count_params():
    assert ArimaForecaster().count_params() == 5  # ar.L1, ar.L2, ma.L1, const, sigma2
    assert ArimaForecaster(order=(1, 0, 0), trend="n").count_params() == 2


def test_seasonal_order(ds):
    model = arma(n_steps=50, horizon=1, order=(1, 0, 0), seasonal_order=(1, 0, 0, 4), max_fit_windows=10)
    model.fit(ds.X_train, ds.y_train[:, :1])
    assert model.count_params() == 4
    assert model.predict(ds.X_valid).shape == (60, 1)


def test_predict_before_fit_raises():
    with pytest.raises(RuntimeError, match="fit"):
        ArimaForecaster().predict(np.zeros((2, 10, 1)))


def test_fit_ignores_keras_arguments(ds):
    model = ArimaForecaster(max_fit_windows=5).fit(ds.X_train, None, epochs=3, validation_data=None)
    assert model.predict(ds.X_valid).shape == (60, 1)


@pytest.mark.parametrize(
    "kwargs, argument",
    [
        ({"order": (1, 0)}, "order"),
        ({"trend": "x"}, "trend"),
        ({"horizon": 0}, "horizon"),
        ({"max_fit_windows": 0}, "max_fit_windows"),
    ],
)
def test_invalid_arguments(kwargs, argument):
    with pytest.raises(ValueError, match=f"`{argument}`"):
        ArimaForecaster(**kwargs)


def test_with_horizon_forecasts_what_feeding_back_one_step_forecasts_gives(ds, fitted):
    one, ahead = fitted.with_horizon(1), fitted.with_horizon(4)
    assert (one.horizon, ahead.horizon, fitted.horizon) == (1, 4, 3)
    assert ahead.results_ is fitted.results_  # no new fit
    window, steps = ds.X_valid[:20].astype(np.float64), []
    for _ in range(4):
        step = one.predict(window)
        steps.append(step[:, 0])
        window = np.concatenate([window[:, 1:], step[:, :, None]], axis=1)
    np.testing.assert_allclose(ahead.predict(ds.X_valid[:20]), np.stack(steps, axis=1), atol=1e-5)


def test_ar2_plus_white_noise_is_arma_2_2():
    # Chapter 1: a sine (an exact AR(2)) plus white noise needs two MA terms in theory, not one.
    # Undoing the AR recursion leaves e(t) - a1 e(t-1) - a2 e(t-2): correlated at lag 2, not beyond.
    rng = np.random.default_rng(0)
    omega, n = 0.3, 200_000
    a1, a2 = 2 * np.cos(omega), -1.0
    x = np.sin(omega * np.arange(n)) + rng.normal(scale=0.3, size=n)
    residual = x[2:] - a1 * x[1:-1] - a2 * x[:-2]
    r = [np.corrcoef(residual[k:], residual[:-k])[0, 1] for k in (1, 2, 3)]
    expected_lag2 = -a2 / (1 + a1**2 + a2**2)  # the MA(2) coefficients (1, -a1, -a2) at lag 2
    assert abs(r[1] - expected_lag2) < 0.01 and abs(expected_lag2) > 0.1
    assert abs(r[2]) < 0.01


def test_sarima_and_handson_ml3_orders_differ():
    # Chapter 9: rnnbook's sarima is SARIMA(1,0,1)(0,1,1)_s; handson-ml3 fits (1,0,0)(0,1,1,7), one
    # MA parameter fewer.
    ours = rnnbook.build_model("sarima", season=24)
    assert (ours.order, ours.seasonal_order) == ((1, 0, 1), (0, 1, 1, 24))
    theirs = ArimaForecaster(order=(1, 0, 0), seasonal_order=(0, 1, 1, 7), trend="n")
    assert ours.count_params() == theirs.count_params() + 1
