"""Tests of rnnbook.metrics."""

import keras
import numpy as np
import pytest
from keras import ops

from rnnbook.metrics import last_time_step_mse, mse


def test_last_time_step_mse_uses_only_the_last_step():
    rng = np.random.default_rng(1)
    y_true = rng.normal(size=(4, 7, 3)).astype("float32")
    y_pred = rng.normal(size=(4, 7, 3)).astype("float32")
    expected = np.mean((y_true[:, -1] - y_pred[:, -1]) ** 2, axis=-1)
    np.testing.assert_allclose(ops.convert_to_numpy(last_time_step_mse(y_true, y_pred)), expected, rtol=1e-6)
    y_pred[:, :-1] += 100.0  # earlier steps do not count
    np.testing.assert_allclose(ops.convert_to_numpy(last_time_step_mse(y_true, y_pred)), expected, rtol=1e-6)


def test_compiled_model_with_the_metric_saves_and_loads(tmp_path):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((8, 1)), keras.layers.Dense(3)])  # (batch, steps, horizon)
    model.compile(loss="mse", optimizer="adam", metrics=[last_time_step_mse])
    x = np.random.default_rng(0).normal(size=(6, 8, 1)).astype("float32")
    y = np.zeros((6, 8, 3), "float32")
    model.fit(x, y, epochs=1, verbose=0)
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    results = loaded.evaluate(x, y, verbose=0, return_dict=True)
    expected = np.mean(ops.convert_to_numpy(last_time_step_mse(y, model.predict(x, verbose=0))))
    np.testing.assert_allclose(results["last_time_step_mse"], expected, rtol=1e-5)


def test_numpy_mse():
    assert mse([[0.0, 1.0]], [[1.0, 1.0]]) == 0.5
    assert isinstance(mse(np.zeros(3, "float32"), np.ones(3, "float32")), float)


def test_numpy_mse_refuses_to_broadcast():
    with pytest.raises(ValueError, match="same shape"):
        mse(np.zeros((4, 1)), np.zeros(4))


def test_forecast_scores_in_the_users_units_per_step_and_their_undefined_cases():
    from rnnbook.data import Units
    from rnnbook.metrics import forecast_scores, mape, mase

    units = Units("load", mean=50.0, std=10.0, naive_mae=4.0, season=24)
    y_true = np.array([[0.0, 1.0, -1.0], [1.0, 0.0, 0.5]])
    y_pred = np.array([[0.5, 1.0, -1.0], [1.0, -0.2, 0.5]])
    s = forecast_scores(y_true, y_pred, units)
    errors = np.abs(y_true - y_pred) * 10  # in the user's units
    assert s["mae"] == pytest.approx(errors.mean()) and s["mse"] == pytest.approx((errors**2).mean())
    np.testing.assert_allclose(s["mae_per_step"], errors.mean(axis=0))
    assert s["mase"] == pytest.approx(errors.mean() / 4.0)
    assert s["mape"] == pytest.approx(100 * np.mean(errors / np.abs(y_true * 10 + 50)))
    seq = forecast_scores(
        np.stack([y_pred, y_true], axis=1), np.stack([y_true, y_pred], axis=1), units, layout="seq2seq"
    )  # only the last time step's forecast counts
    assert seq["mae"] == pytest.approx(s["mae"])
    assert np.isnan(forecast_scores(y_true, y_pred, Units("x", 0.0, 1.0, 0.0))["mase"])
    assert np.isnan(mape([0.0, 1.0], [1.0, 1.0])) and forecast_scores(y_true, y_pred)["mase"] is None
    with pytest.raises(ValueError, match="must be positive"):
        mase([1.0], [2.0], naive_mae=0.0)
    with pytest.raises(ValueError, match="same shape"):
        forecast_scores(y_true, y_pred[:, :2], units)


def test_mape_is_nan_when_a_target_of_a_table_is_exactly_zero(tmp_path):
    import pandas as pd

    from rnnbook.frames import csv_dataset
    from rnnbook.metrics import forecast_scores

    rng = np.random.default_rng(0)
    counts = rng.poisson(3.0, 300)  # integer counts with exact zeros, as a CSV of arrivals would have
    counts[[250, 280]] = 0  # (some in the test period for sure)
    path = tmp_path / "counts.csv"
    pd.DataFrame({"date": pd.date_range("2024-01-01", periods=300, freq="D"), "n": counts}).to_csv(
        path, index=False
    )
    ds = csv_dataset(path, "n", date_column="date", n_steps=7)
    assert ds.units.mean != 0  # so the zeros are scaled to numbers that do not come back exactly
    truth = ds.units.invert(ds.y_test)
    assert (truth == 0).sum() == 0 and (np.abs(truth) < 1e-5).sum() > 0  # what fooled `== 0`
    s = forecast_scores(ds.y_test, ds.y_test + 0.1, ds.units)
    assert np.isnan(s["mape"])
    assert s["mae"] == pytest.approx(0.1 * ds.units.std)  # the other metrics see the exact zeros
    nonzero = ds.y_test[:, 0] != ds.y_test[:, 0].min()
    kept = forecast_scores(ds.y_test[nonzero], ds.y_test[nonzero] + 0.1, ds.units)
    assert np.isfinite(kept["mape"]) and kept["mape"] < 100
