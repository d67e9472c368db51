"""Backpropagation through time: how the gradient of the loss reaches each hidden state.

`hidden_state_gradient_norms` measures ``||dL/dh(t)||`` at every time step of a Keras recurrent
layer with the backend's own automatic differentiation -- the curve behind the book's
vanishing/exploding-gradient widget. `simple_rnn_bptt_numpy` runs the same algorithm by hand for a
simple RNN, one line per equation, so the book can show BPTT step by step and the tests can check
the autodiff version against it.

The trick that gives ``dL/dh(t)`` *including every path through later steps*: unroll the cell and
add a zero perturbation to each state, ``h(t) = cell(x(t), h(t-1)) + eps(t)``. The loss does not
change (``eps = 0``), and ``dL/deps(t)`` is exactly the total derivative ``dL/dh(t)``.

Used in: book/03_training_rnns (BPTT step by step), book/05_unstable_gradients and
book/06_lstm_gru (unstable gradients, LSTM and GRU against vanishing gradients).

Example:

>>> import keras, numpy as np
>>> from rnnbook.gradients import hidden_state_gradient_norms
>>> rng = np.random.default_rng(0)
>>> X = rng.normal(size=(8, 50, 1)).astype("float32")          # (m, T, n_inputs)
>>> y = rng.normal(size=(8, 16)).astype("float32")             # (m, n_neurons): h(T)'s target
>>> hidden_state_gradient_norms(keras.layers.SimpleRNN(16), X, y).shape   # one norm per step
(50,)
"""

from __future__ import annotations

import dataclasses
import functools
import json

import numpy as np

from rnnbook._checks import check_array, check_choice, check_shape
from rnnbook.equations import cells
from rnnbook.equations.base import as_sequence
from rnnbook.equations.keras_bridge import keras_cell, keras_config, weights_from_keras
from rnnbook.equations.simple_rnn import SimpleRNNTrace, simple_rnn_forward, simple_rnn_weights

# Imported inside the functions that use them, so `import rnnbook` stays backend-free and fast: Keras and the
# backend's own library (JAX, TensorFlow or PyTorch).

__all__ = [
    "BPTTResult",
    "hidden_state_gradient_norms",
    "hidden_state_gradients",
    "layer_gradient_norms",
    "parameter_gradient_norm",
    "simple_rnn_bptt_numpy",
]

LOSSES = ("mse", "mae")
#: Which outputs of the recurrent layer enter the loss: ``h(T)`` alone (seq2vec) or every ``h(t)`` (seq2seq).
OUTPUTS = ("last", "sequence")
#: Which state the gradient is taken with respect to: the hidden state, or an LSTM's cell state.
STATES = ("h", "c")


# --------------------------------------------------------------------------------------------------
# BPTT by hand (NumPy)
# --------------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, eq=False)
class BPTTResult:
    """What backpropagation through time computes for a simple RNN.

    Attributes:
        dh: ``dL/dh(t)`` at every step, shape ``(T, n_neurons)`` or ``(m, T, n_neurons)`` (the shape
            of ``trace.h``).
        dWx: ``dL/dW_x``, shape ``(n_inputs, n_neurons)``: the sum of every step's contribution,
            because all steps share the weights.
        dWh: ``dL/dW_y``, shape ``(n_neurons, n_neurons)``.
        db: ``dL/db``, shape ``(n_neurons,)``.
        trace: the forward pass (`rnnbook.equations.SimpleRNNTrace`) the gradients went through.
    """

    dh: np.ndarray
    dWx: np.ndarray
    dWh: np.ndarray
    db: np.ndarray
    trace: SimpleRNNTrace

    @property
    def norms(self) -> np.ndarray:
        """``||dL/dh(t)||`` over the batch and the neurons, shape ``(T,)``."""
        dh = self.dh if self.dh.ndim == 3 else self.dh[np.newaxis]
        return np.sqrt(np.sum(dh**2, axis=(0, 2)))


def simple_rnn_bptt_numpy(X, Wx, Wh, b, dL_dh_last, h0=None, activation="tanh") -> BPTTResult:
    r"""Backpropagation through time by hand for a simple RNN whose loss depends on ``h(T)``.

    The forward pass is `rnnbook.equations.simple_rnn_forward`. Going backwards from
    ``dL/dh(T)``, at each step (tanh: ``phi'(z) = 1 - h^2``; relu: ``1[z > 0]``):

    $$\frac{\partial L}{\partial \mathbf{z}_{(t)}} = \frac{\partial L}{\partial \mathbf{h}_{(t)}}
      \otimes \phi'(\mathbf{z}_{(t)}), \qquad
      \frac{\partial L}{\partial \mathbf{h}_{(t-1)}} = \frac{\partial L}{\partial \mathbf{z}_{(t)}}
      \mathbf{W}_y^\intercal$$

    and every step adds its share to the shared weights' gradients:
    ``dW_x += X(t)^T dL/dz(t)``, ``dW_y += Y(t-1)^T dL/dz(t)``, ``db += sum_i dL/dz(t)``. The
    repeated product by ``W_y^T`` (and by ``phi' <= 1``) is why gradients vanish or explode.

    Args:
        X: input sequences, shape ``(T, n_inputs)`` or ``(m, T, n_inputs)``.
        Wx: input weights, shape ``(n_inputs, n_neurons)``.
        Wh: recurrent weights, shape ``(n_neurons, n_neurons)``.
        b: bias, shape ``(n_neurons,)``; ``None`` for no bias.
        dL_dh_last: ``dL/dh(T)``, shape ``(n_neurons,)`` or ``(m, n_neurons)`` (matching ``X``).
            For ``L = mean((h(T) - y)^2)`` it is ``2 (h(T) - y) / (m n_neurons)``.
        h0: initial state, ``(n_neurons,)`` or ``(m, n_neurons)``; zeros by default.
        activation: ``"tanh"`` (default) or ``"relu"``.

    Returns:
        A `BPTTResult` with ``dh`` per step (shape of ``trace.h``), ``dWx``, ``dWh``, ``db``, the
        forward ``trace`` and ``.norms`` of shape ``(T,)``.

    Example:

    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(8, 30, 1))                      # (m, T, n_inputs)
    >>> Wx, Wh, b = rng.normal(size=(1, 4)), 0.5 * rng.normal(size=(4, 4)), np.zeros(4)
    >>> result = simple_rnn_bptt_numpy(X, Wx, Wh, b, dL_dh_last=np.ones((8, 4)))
    >>> result.dh.shape, result.dWh.shape, result.norms.shape  # (m, T, n_neurons), ...
    ((8, 30, 4), (4, 4), (30,))

    Used in: book/03_training_rnns.
    """
    check_choice("activation", activation, ("tanh", "relu"))
    Wx, Wh, b = simple_rnn_weights(Wx, Wh, b)
    X, single = as_sequence(X, Wx.shape[0], "Wx")
    trace = simple_rnn_forward(X, Wx, Wh, b, h0=h0, activation=activation)
    state_shape = trace.h.shape[:-2] + trace.h.shape[-1:]
    grad = check_shape(
        "dL_dh_last",
        check_array("dL_dh_last", dL_dh_last),
        state_shape,
        f"(the shape of h(T) for `X` of shape {X.shape})",
    )
    # One code path for both cases: one instance is a mini-batch of one.
    x, h_prev, z, h = (a[np.newaxis] if single else a for a in (X, trace.h_prev, trace.z, trace.h))
    grad = grad[np.newaxis] if single else grad
    dh = np.zeros_like(h)
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)
    for t in reversed(range(x.shape[1])):
        dh[:, t] = grad
        dphi = 1.0 - h[:, t] ** 2 if activation == "tanh" else (z[:, t] > 0).astype(float)
        dz = grad * dphi
        dWx += x[:, t].T @ dz
        dWh += h_prev[:, t].T @ dz
        db += dz.sum(axis=0)
        grad = dz @ Wh.T  # dL/dh(t-1): the only path from h(t-1) to L goes through z(t)
    return BPTTResult(dh=dh[0] if single else dh, dWx=dWx, dWh=dWh, db=db, trace=trace)


# --------------------------------------------------------------------------------------------------
# Autodiff (any Keras backend)
# --------------------------------------------------------------------------------------------------


def _step_function(kind, activation, recurrent_activation, reset_after, state="h"):
    """One step of the cell in ``keras.ops``, with a perturbation: ``step(params, x_t, states, eps_t)``.

    ``eps_t`` is added to the ``state`` of this step (``"h"``, or the LSTM's cell state ``"c"``)
    before anything reads it, so ``dL/deps(t)`` is the total derivative ``dL/dh(t)`` or ``dL/dc(t)``:
    for ``c`` that includes the path through this step's own output ``h(t) = o * tanh(c(t))``.

    The step is `rnnbook.equations.cells`' -- the very function the NumPy reference runs -- on
    ``keras.ops``, so the gradients differentiate the equations the book prints. Written from the
    weights rather than by calling the Keras cell, so the same pure function can be traced once by
    ``jax.jit`` and reused for any layer with the same configuration.
    """
    import keras

    ops = cells.keras_ops()
    act = keras.activations.get(activation)
    rec = keras.activations.get(recurrent_activation) if recurrent_activation else None

    if kind == "simple_rnn":

        def step(p, x, states, eps):
            return (cells.simple_rnn_parts(x, states[0], p["Wx"], p["Wh"], p["b"], act, ops)[3] + eps,)
    elif kind == "lstm":

        def step(p, x, states, eps):
            *_, o, _, c, h = cells.lstm_parts(
                x, *states, p["kernel"], p["recurrent_kernel"], p["bias"], act, rec, ops
            )
            if state == "c":
                c = c + eps
                return (o * act(c), c)  # h(t) read from the perturbed c(t), as eq-lstm does
            return (h + eps, c)
    else:

        def step(p, x, states, eps):
            h = cells.gru_parts(
                x, states[0], p["kernel"], p["recurrent_kernel"], p["bias"], reset_after, act, rec, ops
            )[3]
            return (h + eps,)

    return step


def _loss_value(loss, y, pred):
    import keras

    if tuple(pred.shape) != tuple(y.shape):
        raise ValueError(
            f"Received an invalid value for argument `y`, expected shape {tuple(pred.shape)} (the "
            f"shape of the prediction), got shape {tuple(y.shape)}."
        )
    if loss == "mse":
        return keras.ops.mean(keras.ops.square(pred - y))
    if loss == "mae":
        return keras.ops.mean(keras.ops.abs(pred - y))
    return keras.ops.mean(loss(y, pred))


def _predict(head, head_params, outputs):
    if head is None:
        return outputs
    if head_params is not None:
        # A Keras layer on JAX: call it statelessly so its weights are traced arguments of the
        # jitted function rather than constants baked into it.
        trainable, non_trainable = head_params
        return head.stateless_call(trainable, non_trainable, outputs)[0]
    return head(outputs)


def _initial_state(kind, m, units, dtype="float32"):
    import keras

    zeros = keras.ops.zeros((m, units), dtype=dtype)
    return (zeros, zeros) if kind == "lstm" else (zeros,)


def _jax_gradients_uncached(
    kind, activation, recurrent_activation, reset_after, loss, outputs, head, state="h"
):
    import jax
    import jax.numpy as jnp

    step = _step_function(kind, activation, recurrent_activation, reset_after, state)

    def total_loss(eps, params, head_params, X, y):
        def body(states, inputs):
            x_t, eps_t = inputs
            new = step(params, x_t, states, eps_t)
            return new, new[0]

        init = _initial_state(kind, X.shape[0], eps.shape[-1])
        # lax.scan keeps the compiled program the same size whatever T is (a Python loop would
        # inline T copies of the cell and compile slowly for T = 200).
        last, hs = jax.lax.scan(body, init, (jnp.swapaxes(X, 0, 1), eps))
        states = last[0] if outputs == "last" else jnp.swapaxes(hs, 0, 1)
        return _loss_value(loss, y, _predict(head, head_params, states))

    grad = jax.grad(total_loss)

    def gradients(params, head_params, X, y):
        units = params["Wh" if kind == "simple_rnn" else "recurrent_kernel"].shape[0]
        eps = jnp.zeros((X.shape[1], X.shape[0], units), dtype=X.dtype)
        return grad(eps, params, head_params, X, y)

    return jax.jit(gradients)


# Keyed by the configuration, not by the layer: a widget that rebuilds the layer with rescaled
# weights at every slider move reuses the compiled function (recompiling only for new shapes).
_jax_gradients_cached = functools.lru_cache(maxsize=32)(_jax_gradients_uncached)


# Layers and models seen so far, by architecture (config and weight shapes): any Dense(1) head, or
# any model of one architecture, reuses the first one as the template its gradient is traced with
# (its own weights are passed in), so a fresh instance per call doesn't recompile. Bounded like the
# compiled functions: a functional model's config names its layers, so each instance of one is an
# architecture of its own here, and the map must not keep every such model alive.
_TEMPLATES: dict = {}
_MAX_TEMPLATES = 32


def _without_names(config):
    """A layer's or model's config without the names Keras numbers its instances with (a dtype
    policy's name, ``"float32"`` or ``"mixed_float16"``, is kept: it changes the computation)."""
    if isinstance(config, dict):
        if str(config.get("class_name", "")).endswith("DTypePolicy"):
            return config
        return {k: _without_names(v) for k, v in config.items() if k != "name"}
    if isinstance(config, (list, tuple)):
        return [_without_names(v) for v in config]
    return config


def _template(layer):
    """The first layer or model seen with ``layer``'s architecture (``layer`` itself if it is not a
    Keras layer or has no usable config)."""
    if not _is_keras_layer(layer):
        return layer
    try:
        config = json.dumps(_without_names(layer.get_config()), sort_keys=True, default=repr)
    except (NotImplementedError, TypeError):
        return layer
    key = (type(layer), config, tuple(tuple(v.shape) for v in layer.variables))
    if key not in _TEMPLATES and len(_TEMPLATES) >= _MAX_TEMPLATES:
        _TEMPLATES.pop(next(iter(_TEMPLATES)))  # the oldest
    return _TEMPLATES.setdefault(key, layer)


def _jax_gradients(config, params, loss, outputs, head, X, y, state):
    import jax.numpy as jnp

    key = (
        config["kind"],
        config["activation"],
        config.get("recurrent_activation"),
        config.get("reset_after", False),
        loss,
        outputs,
        _template(head),
        state,
    )
    try:
        function = _jax_gradients_cached(*key)
    except TypeError:  # an unhashable loss or head: compile for this call only
        function = _jax_gradients_uncached(*key)
    head_params = None
    if _is_keras_layer(head):
        head_params = (
            [v.value for v in head.trainable_variables],
            [v.value for v in head.non_trainable_variables],
        )
    params = {k: jnp.asarray(v) for k, v in params.items()}
    grads = function(params, head_params, jnp.asarray(X), jnp.asarray(y))
    return np.asarray(grads)


def _tensorflow_gradients(config, params, loss, outputs, head, X, y, state):
    import tensorflow as tf

    def differentiate(unrolled_loss, eps):
        with tf.GradientTape() as tape:
            tape.watch(eps)
            value = unrolled_loss()
        return tape.gradient(value, eps)

    return _eager_gradients(
        config,
        params,
        loss,
        outputs,
        head,
        X,
        y,
        state,
        as_tensor=tf.constant,
        zeros=tf.zeros,
        stack=lambda hs: tf.stack(hs, axis=1),
        differentiate=differentiate,
        to_numpy=lambda g: g.numpy(),
    )


def _torch_gradients(config, params, loss, outputs, head, X, y, state):
    import keras
    import torch

    return _eager_gradients(
        config,
        params,
        loss,
        outputs,
        head,
        X,
        y,
        state,
        as_tensor=keras.ops.convert_to_tensor,
        # keras.ops.zeros puts eps on Keras' device (GPU when there is one), next to the weights.
        zeros=lambda shape: keras.ops.zeros(shape, dtype="float32").requires_grad_(True),
        stack=lambda hs: torch.stack(hs, dim=1),
        differentiate=lambda unrolled_loss, eps: torch.autograd.grad(unrolled_loss(), eps, allow_unused=True),
        to_numpy=lambda g: g.detach().cpu().numpy(),
    )


def _eager_gradients(
    config, params, loss, outputs, head, X, y, state, *, as_tensor, zeros, stack, differentiate, to_numpy
):
    """``dL/dh(t)`` (or ``dL/dc(t)``) on an eager backend (TensorFlow, PyTorch): the cell unrolled
    with a zero ``eps[t]`` added to each state, differentiated with respect to the ``eps``; the
    backend gives its tensors, its stack along time and its autodiff
    (``differentiate(unrolled_loss, eps) -> grads``)."""
    step = _step_function(
        config["kind"],
        config["activation"],
        config.get("recurrent_activation"),
        config.get("reset_after", False),
        state,
    )
    params = {k: as_tensor(v) for k, v in params.items()}
    X, y = as_tensor(X), as_tensor(y)
    m, T = X.shape[0], X.shape[1]
    units = params["Wh" if config["kind"] == "simple_rnn" else "recurrent_kernel"].shape[0]
    eps = [zeros((m, units)) for _ in range(T)]
    grads = differentiate(
        lambda: _unrolled_loss(step, params, X, y, eps, config["kind"], units, outputs, head, loss, stack),
        eps,
    )
    return np.stack([np.zeros((m, units)) if g is None else to_numpy(g) for g in grads])


def _unrolled_loss(step, params, X, y, eps, kind, units, outputs, head, loss, stack):
    """The loss of the cell unrolled over ``X`` with ``eps[t]`` added to its state (eager backends)."""
    states = _initial_state(kind, X.shape[0], units)
    hs = []
    for t in range(X.shape[1]):
        states = step(params, X[:, t], states, eps[t])
        hs.append(states[0])
    states = hs[-1] if outputs == "last" else stack(hs)
    return _loss_value(loss, y, _predict(head, None, states))


_BACKENDS = {
    "jax": _jax_gradients,
    "tensorflow": _tensorflow_gradients,
    "torch": _torch_gradients,
}


def _is_keras_layer(obj) -> bool:
    import keras

    return isinstance(obj, keras.layers.Layer)


def hidden_state_gradients(
    cell_or_layer, X, y, loss="mse", head=None, outputs="last", *, weights=None, state="h"
) -> np.ndarray:
    r"""``dL/dh(t)`` (or an LSTM's ``dL/dc(t)``) for every instance, time step and neuron, by BPTT.

    See `hidden_state_gradient_norms`, which takes the same arguments and reduces this array to
    one norm per time step.

    Args:
        cell_or_layer, X, y, loss, head, outputs, weights, state: as in
            `hidden_state_gradient_norms`.

    Returns:
        float32 array of shape ``(m, T, n_neurons)`` (the layout of ``X``).

    Example:

    >>> import keras
    >>> X = np.zeros((4, 10, 1), dtype="float32")                     # (m, T, n_inputs)
    >>> y = np.ones((4, 3), dtype="float32")                          # (m, n_neurons)
    >>> hidden_state_gradients(keras.layers.GRU(3), X, y).shape       # (m, T, n_neurons)
    (4, 10, 3)

    Used in: not in the book directly (`hidden_state_gradient_norms` takes its norms).
    """
    import keras

    kind, cell = keras_cell(cell_or_layer)
    check_choice("outputs", outputs, OUTPUTS)
    check_choice("state", state, STATES)
    if state == "c" and kind != "lstm":
        raise ValueError(
            "Received an invalid value for argument `state`, expected 'h' for a "
            f"{type(cell).__name__} (only an LSTM has a cell state 'c'), got 'c'."
        )
    if not callable(loss):
        check_choice("loss", loss, LOSSES)
    if head is not None and not callable(head):
        raise ValueError(
            "Received an invalid value for argument `head`, expected None, a Keras layer or a "
            f"callable mapping h to a prediction, got {type(head).__name__}."
        )
    X = check_array("X", X, 3, "(m, T, n_inputs)").astype(np.float32)
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(
            "Received an invalid value for argument `X`, expected at least one instance and one "
            f"time step, got shape {X.shape}."
        )
    if not cell.built:
        # A fresh layer gets its initial weights, as on a first call.
        cell.build((None, X.shape[-1]))
    config = keras_config(cell_or_layer)
    params = weights_from_keras(cell)
    for name, value in (weights or {}).items():
        if name not in params:
            raise ValueError(
                f"Received an invalid value for argument `weights`: {name!r} is not a weight of "
                f"this {kind} layer, whose weights are {', '.join(map(repr, params))}."
            )
        params[name] = check_shape(name, check_array(name, value), params[name].shape, "(the layer's own)")
    params = {k: v.astype(np.float32) for k, v in params.items()}
    n_inputs = (params["Wx"] if kind == "simple_rnn" else params["kernel"]).shape[0]
    if X.shape[-1] != n_inputs:
        raise ValueError(
            f"Received an invalid value for argument `X`, expected {n_inputs} features per time "
            f"step (the layer's input size), got shape {X.shape}."
        )
    if config["go_backwards"]:
        X = np.ascontiguousarray(X[:, ::-1])  # the gradients then come in processing order
    y = check_array("y", y).astype(np.float32)
    units = cell.units
    if _is_keras_layer(head) and not head.built:
        # Built here, outside any traced function, where JAX could not create its weights.
        head.build((None, units))

    backend = keras.backend.backend()
    if backend not in _BACKENDS:
        raise ValueError(
            f"hidden_state_gradients supports the {', '.join(_BACKENDS)} backends of Keras, "
            f"got KERAS_BACKEND={backend!r}."
        )
    grads = _BACKENDS[backend](config, params, loss, outputs, head, X, y, state)  # (T, m, n_neurons)
    return np.swapaxes(np.asarray(grads, dtype=np.float32), 0, 1)


def hidden_state_gradient_norms(
    cell_or_layer, X, y, loss="mse", head=None, outputs="last", *, weights=None, state="h"
) -> np.ndarray:
    r"""``||dL/dh(t)||`` at every time step: how much gradient backpropagation brings to each state.

    The model is the recurrent layer (or cell) unrolled over ``X`` from a zero state, followed by
    the optional ``head``; the loss compares its prediction with ``y``. Differentiating with the
    backend's autodiff (``jax.grad`` -- jitted --, ``tf.GradientTape`` or ``torch.autograd``)
    through the unrolled network is backpropagation through time:

    $$\frac{\partial L}{\partial \mathbf{h}_{(t)}} =
      \frac{\partial L}{\partial \mathbf{h}_{(t+1)}}
      \frac{\partial \mathbf{h}_{(t+1)}}{\partial \mathbf{h}_{(t)}} \; (+ \text{the direct term
      when } \mathbf{h}_{(t)} \text{ enters the loss})$$

    so the norm shrinks (vanishing gradients) or grows (exploding gradients) geometrically as
    ``t`` goes back from ``T`` when the Jacobians are small or large. For an LSTM the state is
    ``[h, c]``; the norm is that of ``dL/dh(t)``, or of ``dL/dc(t)`` with ``state="c"``.

    Args:
        cell_or_layer: a ``keras.layers.SimpleRNN``, ``LSTM`` or ``GRU`` layer, one of their cells
            or an ``RNN`` wrapping one (built on first use if it has no weights yet).
        X: input sequences, shape ``(m, T, n_inputs)``.
        y: targets. Without ``head``: shape ``(m, n_neurons)`` for ``outputs="last"``,
            ``(m, T, n_neurons)`` for ``outputs="sequence"``; with a head, the head's output shape.
        loss: ``"mse"`` (default), ``"mae"``, or a callable ``loss(y_true, y_pred)`` (its result
            is averaged), e.g. ``keras.losses.mean_squared_error``.
        head: ``None`` (the loss is on the states themselves), a Keras layer such as
            ``keras.layers.Dense(1)``, or a callable of ``keras.ops`` mapping ``h`` to the
            prediction.
        outputs: ``"last"`` (default): only ``h(T)`` enters the loss (seq2vec);
            ``"sequence"``: every step's output does (seq2seq).
        weights: weights to use instead of some of the layer's own, named as by
            `rnnbook.equations.weights_from_keras` (``{"Wh": ...}`` for a simple RNN,
            ``{"recurrent_kernel": ...}`` for an LSTM or GRU); the layer itself is left unchanged.
        state: ``"h"`` (default): the hidden state ``h(t)``, the output; ``"c"``: an LSTM's cell
            state ``c(t)`` (its long-term memory), the total derivative including the path through
            ``h(t) = o(t) * tanh(c(t))``.

    Returns:
        float64 array of shape ``(T,)``: the Frobenius norm of ``dL/dh(t)`` over the batch and
        the neurons, ``t = 1 ... T``. Exploding settings can overflow the float32 forward pass
        itself (e.g. relu with large recurrent weights over hundreds of steps); the norms are
        then ``inf`` or ``nan``, never an exception.

    Example:

    >>> import keras
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(8, 100, 1)).astype("float32")   # (m, T, n_inputs)
    >>> y = rng.normal(size=(8, 1)).astype("float32")        # (m, 1): the head's output
    >>> norms = hidden_state_gradient_norms(keras.layers.SimpleRNN(16), X, y,
    ...                                     head=keras.layers.Dense(1))
    >>> norms.shape                                          # (T,)
    (100,)

    Used in: book/06_lstm_gru.
    """
    grads = hidden_state_gradients(
        cell_or_layer, X, y, loss=loss, head=head, outputs=outputs, weights=weights, state=state
    )
    # float64 so that squaring an exploding gradient doesn't overflow float32 into inf.
    grads = grads.astype(np.float64)
    return np.sqrt(np.sum(grads**2, axis=(0, 2)))


def layer_gradient_norms(model, layer, X, y, loss="mse", *, state="h") -> np.ndarray:
    r"""``||dL/dh(t)||`` (or ``||dL/dc(t)||``) of one recurrent layer inside a trained model.

    Which layer of a stack carries a memory: the layers below ``layer`` compute its inputs from
    ``X``, and the layers above it are the head, up to the model's forecast at the *last* time step
    (a seq2seq model's other steps do not enter the loss). The gradient is then that of the model's
    own last-step loss, through every path that passes the chosen state of this layer.

    Args:
        model: a built ``keras.Sequential`` (every built-in model of the registry that stacks
            recurrent layers is one).
        layer: the recurrent layer, or its index in ``model.layers`` (``-2``: the one under the
            output layer).
        X: input sequences, shape ``(m, T, n_inputs)``.
        y: targets of the model's last-step forecast, shape ``(m, n_outputs)``.
        loss, state: as in `hidden_state_gradient_norms` (``state="c"``: an LSTM's cell state).

    Returns:
        float64 array of shape ``(T,)``, one norm per time step of the layer.

    Raises:
        ValueError: ``layer`` is neither one of the model's layers nor an index into them.

    Example:

    >>> import keras
    >>> model = keras.Sequential([keras.Input((30, 1)),
    ...                           keras.layers.LSTM(8, return_sequences=True),
    ...                           keras.layers.LSTM(8, return_sequences=True),
    ...                           keras.layers.Dense(1)])
    >>> X = np.zeros((4, 30, 1), dtype="float32")
    >>> layer_gradient_norms(model, 0, X, np.ones((4, 1)), state="c").shape   # the first layer
    (30,)

    Used in: book/06_lstm_gru.
    """
    import keras

    layers = list(model.layers)
    index = _layer_index(layers, layer)
    X = check_array("X", X, 3, "(m, T, n_inputs)").astype(np.float32)
    inputs = X
    for below in layers[:index]:
        inputs = keras.ops.convert_to_numpy(below(inputs))
    recurrent, above = layers[index], layers[index + 1 :]
    n_steps = inputs.shape[1]
    # The loss reads the model's forecast at the last step: a seq2seq model's output is cropped to it.
    forecasts_every_step = len(model(X[:1]).shape) == 3
    tail = [keras.layers.Cropping1D((n_steps - 1, 0)), keras.layers.Flatten()] if forecasts_every_step else []
    outputs = "sequence" if getattr(recurrent, "return_sequences", False) else "last"
    head = keras.Sequential([*above, *tail]) if above or tail else None
    if head is not None:
        head.build((None, n_steps, recurrent.units) if outputs == "sequence" else (None, recurrent.units))
    return hidden_state_gradient_norms(
        recurrent, inputs, y, loss=loss, head=head, outputs=outputs, state=state
    )


def _layer_index(layers: list, layer) -> int:
    """The index in ``layers`` of ``layer``: one of them, or an index (negative from the end)."""
    if isinstance(layer, (int, np.integer)) and not isinstance(layer, bool):
        if -len(layers) <= layer < len(layers):
            return int(layer) % len(layers)
    elif any(layer is candidate for candidate in layers):
        return next(i for i, candidate in enumerate(layers) if layer is candidate)
    raise ValueError(
        "Received an invalid value for argument `layer`, expected one of the model's layers "
        f"or its index ({-len(layers)} to {len(layers) - 1}), got {layer!r}."
    )


def parameter_gradient_norm(model, X, y) -> float:
    r"""The global norm of the gradient of a model's MSE with respect to all its trainable weights.

    ``sqrt(sum over weights w of ||dL/dw||^2)`` for ``L = mean((model(X) - y)^2)``, the loss every
    model of the book trains on, at the model's current weights and in inference mode (no dropout
    mask) -- the kind of norm ``global_clipnorm`` caps, here on a fixed batch ``X``, so that its values
    are comparable from one update to the next. `rnnbook.training.train` records it after every update
    with ``gradient_norm=True``, to show a training blowing up.

    Args:
        model: a built Keras model.
        X: its inputs; y: its targets, with the shape of ``model(X)``.

    Returns:
        The norm, a float (``nan`` or ``inf`` once the weights or the forward pass have overflowed).

    Example:

    >>> import keras
    >>> model = keras.Sequential([keras.Input((5, 1)), keras.layers.SimpleRNN(3), keras.layers.Dense(1)])
    >>> parameter_gradient_norm(model, np.zeros((2, 5, 1)), np.ones((2, 1))) > 0
    True

    Used in: rnnbook.training (``train(..., gradient_norm=True)``, which chapter 5 asks for).
    """
    import keras

    X = np.asarray(X, dtype=np.float32)
    y = np.asarray(y, dtype=np.float32)
    backend = keras.backend.backend()
    if backend not in _PARAMETER_GRADIENTS:
        raise ValueError(
            f"parameter_gradient_norm supports the {', '.join(_PARAMETER_GRADIENTS)} backends of "
            f"Keras, got KERAS_BACKEND={backend!r}."
        )
    grads = _PARAMETER_GRADIENTS[backend](model, X, y)
    # float64 so that squaring an exploding gradient doesn't overflow float32 into inf.
    return float(np.sqrt(sum(np.sum(np.asarray(g, dtype=np.float64) ** 2) for g in grads)))


def _mse(pred, y):
    import keras

    return keras.ops.mean(keras.ops.square(pred - y))


def _jax_parameter_gradients(model, X, y):
    # Jitted once per architecture (the model's config and weight shapes): `train` asks after every
    # update, and an eager gradient through a 100-step scan takes about 0.5 s where the compiled
    # one takes milliseconds. Any model of that architecture reuses the first one's compiled code.
    function = _jax_model_gradients(_template(model))
    trainable = [v.value for v in model.trainable_variables]
    non_trainable = [v.value for v in model.non_trainable_variables]
    return function(trainable, non_trainable, X, y)


@functools.lru_cache(maxsize=8)
def _jax_model_gradients(model):
    import jax

    def gradients(trainable, non_trainable, X, y):
        def loss(trainable):
            pred, _ = model.stateless_call(trainable, non_trainable, X, training=False)
            return _mse(pred, y)

        return jax.grad(loss)(trainable)

    return jax.jit(gradients)


def _tensorflow_parameter_gradients(model, X, y):
    import tensorflow as tf

    with tf.GradientTape() as tape:
        value = _mse(model(X, training=False), y)
    return [g.numpy() for g in tape.gradient(value, model.trainable_variables)]


def _torch_parameter_gradients(model, X, y):
    import keras
    import torch

    value = _mse(model(X, training=False), keras.ops.convert_to_tensor(y))
    grads = torch.autograd.grad(value, [v.value for v in model.trainable_variables])
    return [g.detach().cpu().numpy() for g in grads]


_PARAMETER_GRADIENTS = {
    "jax": _jax_parameter_gradients,
    "tensorflow": _tensorflow_parameter_gradients,
    "torch": _torch_parameter_gradients,
}
