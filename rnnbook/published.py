"""The chapter's published results, to stand beside rnnbook's converged ones.

The validation MSE of every model in the stored outputs of the chapter's notebook (Géron, *Hands-On
Machine Learning with Scikit-Learn, Keras & TensorFlow*, 2nd ed., O'Reilly 2019, chapter 15, notebook
``15_processing_sequences_using_rnns_and_cnns.ipynb`` of ageron/handson-ml2, last re-run 2021-10-07 with
TensorFlow 2.4 on a CPU), keyed by the rnnbook registry name of the same architecture. They were
computed on the chapter's data -- :func:`rnnbook.data.synthetic_dataset` with ``draw="chapter"``, the
data of the book's profile -- with the chapter's recipe (:data:`RECIPE`); seq2seq models are scored on
the last time step, as rnnbook scores them.

Used in: book/04_forecasting to book/08_leaderboard, ``bench/run_bench.py``.

Example:

>>> PUBLISHED["deep_rnn"].val_mse
0.002910564
>>> published_mse("wavenet") is None          # not in the chapter
True
"""

from __future__ import annotations

import dataclasses

SOURCE = (
    "Stored outputs of 15_processing_sequences_using_rnns_and_cnns.ipynb in ageron/handson-ml2 "
    "(last re-run 2021-10-07, TensorFlow 2.4, CPU), the notebook of chapter 15 of Aurélien Géron, "
    "Hands-On Machine Learning with Scikit-Learn, Keras & TensorFlow, 2nd ed., O'Reilly 2019"
)
RECIPE = "Adam (learning rate 0.001 unless noted), MSE loss, batches of 32, 20 epochs"


@dataclasses.dataclass(frozen=True)
class Published:
    """One row of the chapter's results: its name there, its validation MSE, how its recipe differs."""

    row: str
    val_mse: float
    note: str = ""


PUBLISHED = {
    "naive_last_value": Published("naive_last_value", 0.020211367),
    "linear": Published("linear_flatten_dense1", 0.004168087),
    "simple_rnn": Published("simple_rnn_1_unit", 0.010881562, "Adam lr=0.005"),
    "deep_rnn": Published("deep_rnn_20_20_1", 0.002910564),
    "deep_rnn_dense": Published("deep_rnn_20_20_dense1", 0.002623624),
    "iterative_deep_rnn": Published("iterative_10_steps_with_deep_rnn", 0.027510857),
    "naive_n_steps": Published("naive_10_steps", 0.25697407),
    "linear_n_steps": Published("linear_10_outputs", 0.0187),
    "seq2vec_rnn": Published("seq_to_vector_rnn_10_outputs", 0.0085),
    "seq2seq_rnn": Published("seq2seq_rnn_timedistributed", 0.0096, "Adam lr=0.01"),
    "seq2seq_rnn_batchnorm": Published("seq2seq_rnn_batchnorm", 0.0164),
    "seq2seq_layernorm_rnn": Published("seq2seq_layernorm_simple_rnn_cell", 0.0121),
    "seq2seq_lstm": Published("seq2seq_lstm_20_20", 0.008560798),
    "seq2seq_gru": Published("seq2seq_gru_20_20", 0.010262810),
    "seq2seq_conv1d_gru": Published("seq2seq_conv1d_k4_s2_gru_20_20", 0.0080, "targets Y[:, 3::2]"),
    "wavenet_simple": Published("seq2seq_wavenet_simple_dilations_1_2_4_8_x2", 0.0072),
}


def published_mse(name: str) -> float | None:
    """The chapter's validation MSE for the registry model ``name``, or ``None`` if it has none."""
    row = PUBLISHED.get(name)
    return None if row is None else row.val_mse
