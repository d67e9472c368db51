"""The chapter's reference recipe, in plain Keras: what rnnbook's full profile is measured against.

Géron, *Hands-On Machine Learning*, 2nd ed., chapter 15 (notebook
``15_processing_sequences_using_rnns_and_cnns.ipynb`` of ageron/handson-ml2): the chapter's data
(``np.random.seed(42)``, legacy NumPy RNG, 10,000 series of 50 steps, split 7000/2000/1000), the
chapter's architectures, Adam (lr 0.001 unless noted), MSE, batch 32, 20 epochs, validation data
passed to ``fit`` as in the notebook. Nothing here imports rnnbook: this file is the independent yardstick.

Run one model per process on the TensorFlow backend (``bench/run_bench.py`` does this for every row)::

    KERAS_BACKEND=tensorflow python bench/reference_recipe.py --model linear_flatten_dense1

It prints one JSON object: ``{"model", "val_mse", "test_mse", "fit_seconds", "epoch_seconds",
"peak_rss_mb", "backend", "epochs"}``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

N_STEPS = 50
SPLIT = (7000, 2000, 1000)


def generate_time_series(batch_size, n_steps):
    """The chapter's generator, verbatim (legacy global NumPy RNG)."""
    freq1, freq2, offsets1, offsets2 = np.random.rand(4, batch_size, 1)
    time_ = np.linspace(0, 1, n_steps)
    series = 0.5 * np.sin((time_ - offsets1) * (freq1 * 10 + 10))
    series += 0.2 * np.sin((time_ - offsets2) * (freq2 * 20 + 20))
    series += 0.1 * (np.random.rand(batch_size, n_steps) - 0.5)
    return series[..., np.newaxis].astype(np.float32)


def _split(a):
    n_train, n_valid, _ = SPLIT
    return a[:n_train], a[n_train : n_train + n_valid], a[n_train + n_valid :]


def data(kind):
    """``(X_train, y_train, X_valid, y_valid, X_test, y_test)`` as the chapter builds them."""
    np.random.seed(42)
    if kind == "one_step":
        series = generate_time_series(10000, N_STEPS + 1)
        X, y = series[:, :N_STEPS], series[:, -1]
    elif kind == "vector":
        series = generate_time_series(10000, N_STEPS + 10)
        X, y = series[:, :N_STEPS], series[:, -10:, 0]
    else:  # seq2seq
        series = generate_time_series(10000, N_STEPS + 10)
        X = series[:, :N_STEPS]
        y = np.empty((10000, N_STEPS, 10), dtype=np.float32)
        for step_ahead in range(1, 10 + 1):
            y[..., step_ahead - 1] = series[..., step_ahead : step_ahead + N_STEPS, 0]
    (Xtr, Xva, Xte), (ytr, yva, yte) = _split(X), _split(y)
    return Xtr, ytr, Xva, yva, Xte, yte


def build(name):
    """``(model, data kind, learning rate, target slice)`` of one published row."""
    import keras
    from keras import layers as L

    class LNSimpleRNNCell(keras.layers.Layer):
        """The chapter's layer-normalized SimpleRNN cell."""

        def __init__(self, units, activation="tanh", **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.state_size = units
            self.output_size = units
            self.simple_rnn_cell = L.SimpleRNNCell(units, activation=None)
            self.layer_norm = L.LayerNormalization()
            self.activation = keras.activations.get(activation)

        def call(self, inputs, states):
            outputs, new_states = self.simple_rnn_cell(inputs, states)
            norm_outputs = self.activation(self.layer_norm(outputs))
            return norm_outputs, [norm_outputs]

    inp = lambda: keras.Input(shape=[None, 1])  # noqa: E731  (the chapter's input_shape=[None, 1])
    seq2seq_head = lambda: L.TimeDistributed(L.Dense(10))  # noqa: E731
    S = keras.Sequential
    lr, steps = 1e-3, None
    if name == "linear_flatten_dense1":
        model, kind = S([keras.Input(shape=[50, 1]), L.Flatten(), L.Dense(1)]), "one_step"
    elif name == "simple_rnn_1_unit":
        model, kind, lr = S([inp(), L.SimpleRNN(1)]), "one_step", 5e-3
    elif name == "deep_rnn_20_20_1":
        model = S(
            [
                inp(),
                L.SimpleRNN(20, return_sequences=True),
                L.SimpleRNN(20, return_sequences=True),
                L.SimpleRNN(1),
            ]
        )
        kind = "one_step"
    elif name in ("deep_rnn_20_20_dense1", "iterative_10_steps_with_deep_rnn"):
        model = S([inp(), L.SimpleRNN(20, return_sequences=True), L.SimpleRNN(20), L.Dense(1)])
        kind = "one_step"
    elif name == "linear_10_outputs":
        model, kind = S([keras.Input(shape=[50, 1]), L.Flatten(), L.Dense(10)]), "vector"
    elif name == "seq_to_vector_rnn_10_outputs":
        model = S([inp(), L.SimpleRNN(20, return_sequences=True), L.SimpleRNN(20), L.Dense(10)])
        kind = "vector"
    elif name == "seq2seq_rnn_timedistributed":
        model = S(
            [
                inp(),
                L.SimpleRNN(20, return_sequences=True),
                L.SimpleRNN(20, return_sequences=True),
                seq2seq_head(),
            ]
        )
        kind, lr = "seq2seq", 0.01
    elif name == "seq2seq_rnn_batchnorm":
        model = S(
            [
                inp(),
                L.SimpleRNN(20, return_sequences=True),
                L.BatchNormalization(),
                L.SimpleRNN(20, return_sequences=True),
                L.BatchNormalization(),
                seq2seq_head(),
            ]
        )
        kind = "seq2seq"
    elif name == "seq2seq_layernorm_simple_rnn_cell":
        model = S(
            [
                inp(),
                L.RNN(LNSimpleRNNCell(20), return_sequences=True),
                L.RNN(LNSimpleRNNCell(20), return_sequences=True),
                seq2seq_head(),
            ]
        )
        kind = "seq2seq"
    elif name == "seq2seq_lstm_20_20":
        model = S(
            [inp(), L.LSTM(20, return_sequences=True), L.LSTM(20, return_sequences=True), seq2seq_head()]
        )
        kind = "seq2seq"
    elif name == "seq2seq_gru_20_20":
        model = S([inp(), L.GRU(20, return_sequences=True), L.GRU(20, return_sequences=True), seq2seq_head()])
        kind = "seq2seq"
    elif name == "seq2seq_conv1d_k4_s2_gru_20_20":
        model = S(
            [
                inp(),
                L.Conv1D(filters=20, kernel_size=4, strides=2, padding="valid"),
                L.GRU(20, return_sequences=True),
                L.GRU(20, return_sequences=True),
                seq2seq_head(),
            ]
        )
        kind, steps = "seq2seq", slice(3, None, 2)
    elif name == "seq2seq_wavenet_simple_dilations_1_2_4_8_x2":
        layers = [inp()]
        for rate in (1, 2, 4, 8) * 2:
            layers.append(
                L.Conv1D(filters=20, kernel_size=2, padding="causal", activation="relu", dilation_rate=rate)
            )
        layers.append(L.Conv1D(filters=10, kernel_size=1))
        model, kind = S(layers), "seq2seq"
    else:
        raise SystemExit(f"unknown reference model {name!r}")
    return model, kind, lr, steps


TRAINED = (
    "linear_flatten_dense1",
    "simple_rnn_1_unit",
    "deep_rnn_20_20_1",
    "deep_rnn_20_20_dense1",
    "iterative_10_steps_with_deep_rnn",
    "linear_10_outputs",
    "seq_to_vector_rnn_10_outputs",
    "seq2seq_rnn_timedistributed",
    "seq2seq_rnn_batchnorm",
    "seq2seq_layernorm_simple_rnn_cell",
    "seq2seq_lstm_20_20",
    "seq2seq_gru_20_20",
    "seq2seq_conv1d_k4_s2_gru_20_20",
    "seq2seq_wavenet_simple_dilations_1_2_4_8_x2",
)


def run(name, epochs=20, batch_size=32):
    import keras
    import tensorflow as tf

    np.random.seed(42)
    tf.random.set_seed(42)
    keras.utils.set_random_seed(42)
    model, kind, lr, steps = build(name)
    Xtr, ytr, Xva, yva, Xte, yte = data(kind)
    if steps is not None:
        ytr, yva, yte = ytr[:, steps], yva[:, steps], yte[:, steps]

    def last_time_step_mse(y_true, y_pred):
        return keras.metrics.mean_squared_error(y_true[:, -1], y_pred[:, -1])

    metrics = [last_time_step_mse] if kind == "seq2seq" else []
    model.compile(loss="mse", optimizer=keras.optimizers.Adam(learning_rate=lr), metrics=metrics)

    epoch_times = []

    class Timer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.t = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            epoch_times.append(time.perf_counter() - self.t)

    start = time.perf_counter()
    model.fit(
        Xtr,
        ytr,
        epochs=epochs,
        batch_size=batch_size,
        validation_data=(Xva, yva),
        verbose=0,
        callbacks=[Timer()],
    )
    fit_seconds = time.perf_counter() - start

    if name == "iterative_10_steps_with_deep_rnn":
        # Trained one step ahead (as deep_rnn_20_20_dense1, which the chapter reuses), then fed its own
        # forecasts 10 times on the chapter's 60-step series.
        _, _, Xva, yva, Xte, yte = data("vector")

    def score(X, y):
        if name == "iterative_10_steps_with_deep_rnn":
            for _ in range(10):
                y_one = model.predict(X, batch_size=1024, verbose=0)[:, np.newaxis, :]
                X = np.concatenate([X, y_one], axis=1)
            pred = X[:, N_STEPS:, 0]
        else:
            pred = model.predict(X, batch_size=1024, verbose=0)
        if kind == "seq2seq":
            y, pred = y[:, -1], pred[:, -1]
        return float(np.mean((np.asarray(y, np.float64) - pred) ** 2))

    return {
        "model": name,
        "val_mse": score(Xva, yva),
        "test_mse": score(Xte, yte),
        "fit_seconds": fit_seconds,
        "epoch_seconds": epoch_times,
        "epochs": epochs,
        "batch_size": batch_size,
        "learning_rate": lr,
        "backend": keras.backend.backend(),
        "keras_version": keras.__version__,
        "tensorflow_version": tf.__version__,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, choices=TRAINED)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args(argv)
    print(json.dumps(run(args.model, args.epochs, args.batch_size)), flush=True)


if __name__ == "__main__":
    sys.exit(main())
