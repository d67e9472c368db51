"""Interactive widgets of the book: each a pure compute function plus a thin ipywidgets view.

Every view precomputes the frames its controls can select, so it stays interactive in the static HTML
book, without a kernel (see :mod:`rnnbook.widgets._frames`). Importing this package is cheap: Keras is
imported when a widget is built.

Example:

>>> from rnnbook.widgets import receptive_field_explorer
>>> view = receptive_field_explorer(max_layers=2, n_steps=16)    # doctest: +SKIP
>>> view                                                          # doctest: +SKIP

Used in: book/02_recurrent_neurons, book/03_training_rnns, book/04_forecasting, book/06_lstm_gru,
book/07_convolutions_wavenet (cells inserted by ``tools/insert_widget_cells.py``).
"""

from __future__ import annotations

from rnnbook.widgets.bptt import bptt_data, bptt_explorer, bptt_grid
from rnnbook.widgets.forecast import forecast_data, forecast_explorer, layouts_for
from rnnbook.widgets.forecast import strategies_for as strategies_for  # deprecated: layouts_for
from rnnbook.widgets.gates import gate_data, gate_explorer
from rnnbook.widgets.gates import gate_inspector as gate_inspector  # deprecated: gate_explorer
from rnnbook.widgets.receptive_field import dependency_masks, receptive_field_explorer
from rnnbook.widgets.unrolling import (
    memory_jacobian_norms,
    unrolling_data,
    unrolling_explorer,
    unrolling_step,
)

__all__ = [
    "bptt_data",
    "bptt_explorer",
    "bptt_grid",
    "dependency_masks",
    "forecast_data",
    "forecast_explorer",
    "gate_data",
    "gate_explorer",
    "layouts_for",
    "memory_jacobian_norms",
    "receptive_field_explorer",
    "unrolling_data",
    "unrolling_explorer",
    "unrolling_step",
]
