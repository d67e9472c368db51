"""Tests of the baselines: the naive forecasts and the linear models."""

import keras
import numpy as np
import pytest

import rnnbook
from rnnbook import data
from rnnbook.metrics import mse

DS = data.synthetic_dataset(16, 20, (8, 4, 4), horizon=10, layout="vector", seed=3)


def test_naive_last_value_forecasts_the_last_value():
    model = rnnbook.build_model("naive_last_value", n_steps=20)
    np.testing.assert_allclose(model.predict(DS.X_valid, verbose=0), DS.X_valid[:, -1, :])
    assert model.count_params() == 0


def test_naive_n_steps_repeats_it():
    model = rnnbook.build_model("naive_n_steps", n_steps=20)
    np.testing.assert_allclose(
        model.predict(DS.X_valid, verbose=0), np.repeat(DS.X_valid[:, -1, :], 10, axis=1)
    )


def test_naive_forecast_accepts_any_length():
    model = rnnbook.build_model("naive_last_value", n_steps=None)
    assert model.predict(DS.X_valid[:, :7], verbose=0).shape == (4, 1)


@pytest.mark.parametrize("name, horizon", [("linear", 1), ("linear_n_steps", 10)])
def test_linear_is_an_affine_map_of_the_window(name, horizon):
    model = rnnbook.build_model(name, n_steps=20, n_features=2)
    rng = np.random.default_rng(0)
    w = rng.normal(size=(40, horizon)).astype("float32")
    b = rng.normal(size=horizon).astype("float32")
    model.set_weights([w, b])
    x = rng.normal(size=(5, 20, 2)).astype("float32")
    np.testing.assert_allclose(model.predict(x, verbose=0), x.reshape(5, -1) @ w + b, rtol=1e-5, atol=1e-5)
    assert model.count_params() == 40 * horizon + horizon


@pytest.mark.parametrize("name", ["linear", "linear_n_steps"])
def test_linear_needs_n_steps(name):
    with pytest.raises(ValueError, match="n_steps"):
        rnnbook.build_model(name, n_steps=None)


def test_linear_learns_faster_than_naive_on_tiny_data():
    keras.utils.set_random_seed(0)
    ds = data.synthetic_dataset(200, 20, (150, 30, 20), seed=0)
    spec = rnnbook.get_spec("linear")
    model = rnnbook.build_model("linear", n_steps=20)
    model.compile(loss="mse", optimizer=keras.optimizers.Adam(spec.recipe["learning_rate"]))
    model.fit(ds.X_train, ds.y_train, epochs=30, batch_size=16, verbose=0)
    linear_mse = mse(ds.y_valid, model.predict(ds.X_valid, verbose=0))
    naive_mse = mse(ds.y_valid, ds.X_valid[:, -1, :])
    assert linear_mse < naive_mse
