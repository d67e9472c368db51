"""The chapter's custom layers, written with ``keras.layers`` and ``keras.ops`` only.

Every class here runs on the TensorFlow, JAX and PyTorch backends, is registered as serializable
(package ``"rnnbook"``) and survives ``model.save("m.keras")`` / ``keras.saving.load_model`` with the
default ``safe_mode``.

* :class:`RepeatLastValue` -- the naive forecast, as a layer.
* :class:`UnrolledRNN` -- a recurrent layer written as an explicit Python loop over time steps.
* :class:`LNSimpleRNNCell` -- a SimpleRNN cell with layer normalization.
* :class:`GatedActivationUnit` and :class:`WaveNetResidualBlock` -- WaveNet's building blocks.
* :class:`IterativeForecaster` -- turns a one-step model into a multi-step one by feeding it its own
  forecasts.

Used in: book/02_recurrent_neurons, book/04_forecasting (and, through the models, every chapter that trains).
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from rnnbook._checks import check_bool, check_choice, check_positive_int

PACKAGE = "rnnbook"


def _as_list(states):
    # Keras cells return either one tensor or a list of them (LSTM: [h, c]); a list always.
    return list(states) if isinstance(states, (list, tuple)) else [states]


def _state_sizes(cell) -> list[int]:
    size = cell.state_size
    return list(size) if isinstance(size, (list, tuple)) else [size]


# --------------------------------------------------------------------------------------- naive
@keras.saving.register_keras_serializable(package=PACKAGE)
class RepeatLastValue(keras.layers.Layer):
    """Naive forecast: repeat the last observed value ``horizon`` times.

    It has no weights. It is the baseline every learned model must beat: on the chapter's synthetic
    series it scores a validation MSE of about 0.02 one step ahead.

    Args:
        horizon: number of steps to forecast (positive int).
        feature: index of the input feature to repeat. Defaults to ``0``.
        **kwargs: base ``Layer`` arguments (``name``, ``dtype``...).

    Call arguments:
        inputs: tensor of shape ``(batch, steps, features)``.

    Returns:
        Tensor of shape ``(batch, horizon)``.

    Example:

    >>> x = keras.ops.reshape(keras.ops.arange(6.0), (1, 3, 2))
    >>> y = RepeatLastValue(horizon=4)(x)       # (1, 4): inputs[0, -1, 0] four times
    >>> keras.ops.convert_to_numpy(y).tolist()
    [[4.0, 4.0, 4.0, 4.0]]
    """

    def __init__(self, horizon, feature=0, **kwargs):
        super().__init__(**kwargs)
        self.horizon = check_positive_int("horizon", horizon)
        self.feature = check_positive_int("feature", feature, minimum=0)

    def build(self, input_shape):
        if len(input_shape) != 3:
            raise ValueError(
                f"RepeatLastValue expects inputs of shape (batch, steps, features), got {tuple(input_shape)}."
            )
        n_features = input_shape[-1]
        if n_features is not None and self.feature >= n_features:
            raise ValueError(
                f"`feature`={self.feature} is out of range for inputs with {n_features} feature(s)."
            )
        self.built = True

    def call(self, inputs):
        last = inputs[:, -1, self.feature : self.feature + 1]  # (batch, 1)
        return ops.repeat(last, self.horizon, axis=1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.horizon)

    def get_config(self):
        return {**super().get_config(), "horizon": self.horizon, "feature": self.feature}


# ------------------------------------------------------------------------------ recurrent loop
@keras.saving.register_keras_serializable(package=PACKAGE)
class UnrolledRNN(keras.layers.Layer):
    """A recurrent layer written as a plain Python loop over the time steps.

    This is the chapter's "custom RNN": it shows that ``keras.layers.RNN`` does nothing more than
    call a cell once per time step, feeding each step the states the previous step returned. The loop
    runs in Python over the *static* time axis, so the number of steps must be known when the layer
    is built (``keras.layers.RNN`` uses a symbolic loop and accepts any length). With the same
    weights, it returns what ``keras.layers.RNN(cell)`` returns.

    Args:
        cell: a recurrent cell: ``keras.layers.SimpleRNNCell``, ``LSTMCell``, ``GRUCell``,
            :class:`LNSimpleRNNCell` or any layer with ``state_size``, ``get_initial_state(batch_size)``
            and ``call(inputs, states) -> (output, new_states)``.
        return_sequences: return every step's output ``(batch, steps, units)`` instead of the last
            one ``(batch, units)``. Defaults to ``False``.
        return_state: also return the final states, after the output. Defaults to ``False``.
        return_all_states: also return every step's states: one tensor ``(batch, steps, size)`` per
            state of the cell (one for SimpleRNN and GRU, ``[h, c]`` for LSTM), after the output
            and the final states. Defaults to ``False``.
        **kwargs: base ``Layer`` arguments.

    Call arguments:
        inputs: tensor of shape ``(batch, steps, features)`` with a static ``steps``.
        training: Python boolean, passed to the cell (dropout).

    Returns:
        The output tensor alone, or a list ``[output, *final_states, *all_states]`` when
        ``return_state`` or ``return_all_states`` is set.

    Example:

    >>> layer = UnrolledRNN(keras.layers.SimpleRNNCell(4), return_sequences=True)
    >>> tuple(layer(keras.ops.ones((2, 5, 3))).shape)  # (batch, steps, units)
    (2, 5, 4)
    >>> layer = UnrolledRNN(keras.layers.LSTMCell(4), return_all_states=True)
    >>> out, h_seq, c_seq = layer(keras.ops.ones((2, 5, 3)))
    >>> tuple(out.shape), tuple(c_seq.shape)              # (batch, units), (batch, steps, units)
    ((2, 4), (2, 5, 4))
    """

    def __init__(self, cell, return_sequences=False, return_state=False, return_all_states=False, **kwargs):
        super().__init__(**kwargs)
        if isinstance(cell, dict):
            cell = keras.saving.deserialize_keras_object(cell)
        for attribute in ("state_size", "get_initial_state"):
            if not hasattr(cell, attribute):
                raise ValueError(
                    f"The `cell` of an UnrolledRNN needs a `{attribute}` attribute; "
                    f"{type(cell).__name__} has none."
                )
        self.cell = cell
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.return_all_states = bool(return_all_states)

    def build(self, input_shape):
        if len(input_shape) != 3:
            raise ValueError(
                f"UnrolledRNN expects inputs of shape (batch, steps, features), got {tuple(input_shape)}."
            )
        if input_shape[1] is None:
            raise ValueError(
                "UnrolledRNN loops over the time axis in Python, so the number of steps "
                "must be static: give the Input a length, e.g. keras.Input((50, 1)), or "
                "use keras.layers.RNN for sequences of any length."
            )
        if not self.cell.built:
            self.cell.build((input_shape[0], input_shape[2]))
        self.built = True

    def call(self, inputs, training=False):
        n_steps = inputs.shape[1]
        states = _as_list(self.cell.get_initial_state(batch_size=ops.shape(inputs)[0]))
        outputs, all_states = [], []
        for t in range(n_steps):
            output, states = self.cell(inputs[:, t], states, training=training)
            states = _as_list(states)
            outputs.append(output)
            if self.return_all_states:
                all_states.append(states)
        # Cells with dropout cache one mask for the whole sequence (the same mask at every step, as
        # in keras.layers.RNN); forget it so the next batch draws a fresh one.
        for reset in ("reset_dropout_mask", "reset_recurrent_dropout_mask"):
            if hasattr(self.cell, reset):
                getattr(self.cell, reset)()
        result = ops.stack(outputs, axis=1) if self.return_sequences else outputs[-1]
        if not (self.return_state or self.return_all_states):
            return result
        extra = list(states) if self.return_state else []
        if self.return_all_states:
            extra += [ops.stack([step[i] for step in all_states], axis=1) for i in range(len(states))]
        return [result, *extra]

    def compute_output_shape(self, input_shape):
        batch, n_steps = input_shape[0], input_shape[1]
        sizes = _state_sizes(self.cell)
        output_size = getattr(self.cell, "output_size", sizes[0])
        output_shape = (batch, n_steps, output_size) if self.return_sequences else (batch, output_size)
        if not (self.return_state or self.return_all_states):
            return output_shape
        shapes = [output_shape]
        if self.return_state:
            shapes += [(batch, size) for size in sizes]
        if self.return_all_states:
            shapes += [(batch, n_steps, size) for size in sizes]
        return shapes

    def get_config(self):
        return {
            **super().get_config(),
            "cell": keras.saving.serialize_keras_object(self.cell),
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "return_all_states": self.return_all_states,
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["cell"] = keras.saving.deserialize_keras_object(config["cell"])
        return cls(**config)


# ------------------------------------------------------------------------------ LayerNorm cell
@keras.saving.register_keras_serializable(package=PACKAGE)
class LNSimpleRNNCell(keras.layers.Layer):
    """A SimpleRNN cell whose pre-activations are layer-normalized.

    Batch normalization does not fit recurrent layers well (the statistics change from step to step);
    layer normalization normalizes each instance over its features, identically at training and
    inference time. As in the chapter, the inner ``SimpleRNNCell`` has no activation, its output is
    normalized, then the activation is applied, and the result is both the output and the new state.

    Args:
        units: size of the output and of the state (positive int).
        activation: activation applied after the normalization. Defaults to ``"tanh"``.
        **kwargs: base ``Layer`` arguments.

    Call arguments:
        inputs: tensor of shape ``(batch, features)`` (one time step).
        states: list holding one tensor of shape ``(batch, units)``.
        training: Python boolean (unused by the computation; kept for the cell protocol).

    Returns:
        ``(output, [output])``, with ``output`` of shape ``(batch, units)``.

    Example:

    >>> layer = keras.layers.RNN(LNSimpleRNNCell(20), return_sequences=True)
    >>> tuple(layer(keras.ops.ones((2, 7, 1))).shape)     # (batch, steps, units)
    (2, 7, 20)
    """

    def __init__(self, units, activation="tanh", **kwargs):
        super().__init__(**kwargs)
        self.units = check_positive_int("units", units)
        try:
            self.activation = keras.activations.get(activation)
        except ValueError as exc:
            raise ValueError(
                f"Received an invalid value for argument `activation`, expected the name "
                f"of a Keras activation, got {activation!r}."
            ) from exc
        self.state_size = self.units
        self.output_size = self.units
        # The activation comes after the normalization, so the inner cell is purely linear.
        self.simple_rnn_cell = keras.layers.SimpleRNNCell(self.units, activation=None, name="simple_rnn_cell")
        self.layer_norm = keras.layers.LayerNormalization(name="layer_norm")

    def build(self, input_shape):
        self.simple_rnn_cell.build(input_shape)
        self.layer_norm.build((input_shape[0], self.units))
        self.built = True

    def call(self, inputs, states, training=False):
        outputs, _ = self.simple_rnn_cell(inputs, states, training=training)
        norm_outputs = self.activation(self.layer_norm(outputs))
        return norm_outputs, [norm_outputs]

    def get_initial_state(self, batch_size=None):
        return [ops.zeros((batch_size, self.units), dtype=self.compute_dtype)]

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "activation": keras.activations.serialize(self.activation),
        }


# ------------------------------------------------------------------------------------- WaveNet
@keras.saving.register_keras_serializable(package=PACKAGE)
class GatedActivationUnit(keras.layers.Layer):
    """WaveNet's gated activation: ``tanh(filter) * sigmoid(gate)``.

    The input holds the filter and the gate pre-activations side by side (first half and second half
    of the channels), as produced by one convolution with ``2 * filters`` channels. The activation is
    applied once: the chapter's listing applies ``tanh`` twice, which squashes the filter branch for
    no reason.

    Args:
        activation: activation of the filter branch. Defaults to ``"tanh"``.
        **kwargs: base ``Layer`` arguments.

    Call arguments:
        inputs: tensor of shape ``(batch, steps, 2 * filters)``.

    Returns:
        Tensor of shape ``(batch, steps, filters)``.

    Example:

    >>> gau = GatedActivationUnit()
    >>> tuple(gau(keras.ops.zeros((2, 10, 8))).shape)  # (batch, steps, 8 // 2)
    (2, 10, 4)
    """

    def __init__(self, activation="tanh", **kwargs):
        super().__init__(**kwargs)
        self.activation = check_choice("activation", activation, ("tanh", "relu", "linear"))

    def build(self, input_shape):
        channels = input_shape[-1]
        if channels is None or channels % 2:
            raise ValueError(
                "GatedActivationUnit needs an even, known number of channels (filter and "
                f"gate halves), got input shape {tuple(input_shape)}."
            )
        self.built = True

    def call(self, inputs):
        n_filters = inputs.shape[-1] // 2
        linear_output = keras.activations.get(self.activation)(inputs[..., :n_filters])
        gate = ops.sigmoid(inputs[..., n_filters:])
        return linear_output * gate

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], input_shape[-1] // 2)

    def get_config(self):
        return {**super().get_config(), "activation": self.activation}


@keras.saving.register_keras_serializable(package=PACKAGE)
class WaveNetResidualBlock(keras.layers.Layer):
    """One WaveNet layer: dilated causal conv, gated activation, 1x1 conv, residual and skip outputs.

    A single causal ``Conv1D`` with ``2 * filters`` channels computes the filter and the gate
    pre-activations at once; :class:`GatedActivationUnit` combines them; a 1x1 ``Conv1D`` maps the
    result back to ``filters`` channels. That result ``z`` is the skip output, and ``inputs + z`` is
    the residual output fed to the next block (the residual connection keeps deep stacks trainable).
    Causal padding means step ``t`` of either output depends only on inputs up to step ``t``.

    Args:
        filters: number of channels of the input and of both outputs (positive int).
        dilation_rate: dilation of the causal convolution (positive int).
        kernel_size: kernel size of the causal convolution. Defaults to ``2``.
        gated: ``True`` (default) for the gated activation; ``False`` for the ablation without it, a
            causal convolution with ``filters`` channels and ReLU, as in ``wavenet_simple``.
        **kwargs: base ``Layer`` arguments.

    Call arguments:
        inputs: tensor of shape ``(batch, steps, filters)``.

    Returns:
        ``(residual, skip)``, two tensors of shape ``(batch, steps, filters)``.

    Example:

    >>> block = WaveNetResidualBlock(filters=16, dilation_rate=4)
    >>> residual, skip = block(keras.ops.zeros((2, 50, 16)))
    >>> tuple(residual.shape), tuple(skip.shape)          # (batch, steps, filters) twice
    ((2, 50, 16), (2, 50, 16))
    """

    def __init__(self, filters, dilation_rate, kernel_size=2, gated=True, **kwargs):
        super().__init__(**kwargs)
        self.filters = check_positive_int("filters", filters)
        self.dilation_rate = check_positive_int("dilation_rate", dilation_rate)
        self.kernel_size = check_positive_int("kernel_size", kernel_size)
        self.gated = check_bool("gated", gated)
        self.dilated_conv = keras.layers.Conv1D(
            (2 if gated else 1) * self.filters,
            self.kernel_size,
            padding="causal",
            dilation_rate=self.dilation_rate,
            activation=None if gated else "relu",
            name="dilated_conv",
        )
        self.gate = GatedActivationUnit(name="gated_activation") if gated else None
        self.conv_1x1 = keras.layers.Conv1D(self.filters, 1, name="conv_1x1")

    def build(self, input_shape):
        if input_shape[-1] != self.filters:
            raise ValueError(
                f"WaveNetResidualBlock adds its input to its output, so the input needs "
                f"`filters`={self.filters} channels, got input shape {tuple(input_shape)}."
            )
        self.dilated_conv.build(input_shape)
        if self.gate is not None:
            self.gate.build((*input_shape[:-1], 2 * self.filters))
        self.conv_1x1.build((*input_shape[:-1], self.filters))
        self.built = True

    def call(self, inputs):
        h = self.dilated_conv(inputs)
        z = self.conv_1x1(self.gate(h) if self.gate is not None else h)
        return inputs + z, z

    def compute_output_shape(self, input_shape):
        shape = (*input_shape[:-1], self.filters)
        return shape, shape

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "dilation_rate": self.dilation_rate,
            "kernel_size": self.kernel_size,
            "gated": self.gated,
        }


# --------------------------------------------------------------------------- iterative forecast
@keras.saving.register_keras_serializable(package=PACKAGE)
class IterativeForecaster(keras.Model):
    """Forecast ``horizon`` steps with a one-step model by feeding it its own forecasts.

    At each of the ``horizon`` iterations the step model forecasts the next value, the forecast is
    appended to the window and the oldest step is dropped, so the window keeps its length (a model
    with a fixed input length, such as Linear, works too). Errors compound: each forecast is made
    from earlier forecasts, which is why the chapter then trains models to output all ``horizon``
    values at once. Train ``step_model`` on one-step targets; this wrapper has no weights of its own.

    Only univariate inputs are supported: the forecast is a value of the single feature, and for
    several features the other ones would be unknown in the future.

    Args:
        step_model: a Keras model mapping ``(batch, steps, 1)`` to ``(batch, 1)``.
        horizon: number of steps to forecast (positive int).
        **kwargs: base ``Model`` arguments (``name``...).

    Call arguments:
        inputs: tensor of shape ``(batch, steps, 1)``.
        training: Python boolean, passed to the step model.

    Returns:
        Tensor of shape ``(batch, horizon)``.

    Example:

    >>> step = keras.Sequential([keras.Input((50, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])
    >>> model = IterativeForecaster(step, horizon=10)
    >>> tuple(model(keras.ops.zeros((3, 50, 1))).shape)   # (batch, horizon)
    (3, 10)
    """

    def __init__(self, step_model, horizon, **kwargs):
        super().__init__(**kwargs)
        if isinstance(step_model, dict):
            step_model = keras.saving.deserialize_keras_object(step_model)
        self.step_model = step_model
        self.horizon = check_positive_int("horizon", horizon)

    def build(self, input_shape):
        if len(input_shape) != 3:
            raise ValueError(
                f"IterativeForecaster expects inputs of shape (batch, steps, features), "
                f"got {tuple(input_shape)}."
            )
        if input_shape[-1] != 1:
            raise ValueError(
                f"IterativeForecaster forecasts a single series, but the inputs have {input_shape[-1]} "
                "features: the future values of the other features would be unknown. Use a model that "
                "outputs the whole horizon at once (layout='vector') for multivariate inputs."
            )
        if not self.step_model.built:
            self.step_model.build(input_shape)
        output_shape = self.step_model.compute_output_shape(input_shape)
        if tuple(output_shape)[1:] != (1,):
            raise ValueError(
                f"The step model must forecast one value per series, shape (batch, 1); "
                f"it outputs {tuple(output_shape)}."
            )
        self.built = True

    def call(self, inputs, training=False):
        window = inputs
        forecasts = []
        for _ in range(self.horizon):
            forecast = self.step_model(window, training=training)  # (batch, 1)
            forecasts.append(forecast)
            window = ops.concatenate([window[:, 1:], ops.expand_dims(forecast, 1)], axis=1)
        return ops.concatenate(forecasts, axis=1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.horizon)

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """``horizon`` calls of the step model's own ``predict``, the window moved along in NumPy.

        The same numbers as the one program that :meth:`call` unrolls, but much sooner: that
        program holds ``horizon`` copies of the step model, which are slow to trace and compile
        (about 9 s for ``deep_rnn`` on 2 CPU cores, every time a forecaster is built), while the
        step model's compiled function is reused at every step (about 1 s). Inputs other than a
        NumPy array (a ``tf.data`` pipeline, a generator) go through Keras' ``predict``.
        """
        if not isinstance(x, np.ndarray) or steps is not None or callbacks is not None:
            return super().predict(
                x, batch_size=batch_size, verbose=verbose, steps=steps, callbacks=callbacks
            )
        if not self.built:
            self.build(x.shape)
        window, forecasts = x.astype(self.step_model.compute_dtype, copy=False), []
        for _ in range(self.horizon):
            forecast = self.step_model.predict(window, batch_size=batch_size, verbose=verbose)
            forecasts.append(forecast)
            window = np.concatenate([window[:, 1:], forecast[:, np.newaxis, :]], axis=1)
        return np.concatenate(forecasts, axis=1)

    def get_config(self):
        return {
            **super().get_config(),
            "step_model": keras.saving.serialize_keras_object(self.step_model),
            "horizon": self.horizon,
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["step_model"] = keras.saving.deserialize_keras_object(config["step_model"])
        return cls(**config)
