"""Interactive widgets of the book, each a pure compute function plus a thin ipywidgets view.

Every view precomputes the frames its controls can select, so it stays interactive in the static HTML
book (no kernel): see :mod:`rnnbook.widgets._frames`.

Used in: book/02_recurrent_neurons, book/03_training_rnns, book/04_forecasting, book/06_lstm_gru,
book/07_convolutions_wavenet (inserted by :mod:`rnnbook.widgets.insert_cells`).
"""

from __future__ import annotations

from rnnbook.widgets.unrolling import unrolling_data, unrolling_explorer, unrolling_step

__all__ = ["unrolling_data", "unrolling_explorer", "unrolling_step"]
