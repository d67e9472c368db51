"""ARMA (and SARIMA) forecasts with statsmodels, behind the same ``fit``/``predict`` as the other models.

The chapter mentions ARMA-family models as the classical alternative to RNNs; this module puts one on
the leaderboard. It needs no Keras.

Used in: book/01_sequences.
"""

from __future__ import annotations

import copy
import warnings

import numpy as np

from rnnbook._checks import check_choice, check_order, check_positive_int
from rnnbook.models._saved import save_forecaster
from rnnbook.specs import register_model

# statsmodels is imported inside the functions that fit: slow to import, it is needed only when an ARMA fits.

TRENDS = ("n", "c", "t", "ct")
# NaN steps put between two training series when they are concatenated (see ArimaForecaster.fit).
GAP = 10
# Length of the placeholder series a loaded model's state-space results are built on (any will do).
_PLACEHOLDER_STEPS = 64


class ArimaForecaster:
    """A SARIMAX model fitted once on the training series, then applied to every window.

    **Fitting.** The training windows are independent series (the synthetic data) or overlapping
    windows of one series (the real data); there is no single long series to fit. ``fit`` takes up to
    ``max_fit_windows`` windows spread evenly over the training set, appends each one's targets (the
    values that follow it, so each piece is one contiguous stretch of a series) and concatenates them
    with ``GAP`` missing values (NaN) in between. The Kalman filter treats the NaNs as unobserved steps,
    so the jump from one series to the next is never fitted as if it were a real transition, and one
    maximum-likelihood fit estimates parameters shared by all series. A subset keeps the fit to about
    two seconds; more windows barely change the parameters.

    **Forecasting.** With fixed parameters, a linear Gaussian state-space model's forecast is an affine
    function of the observed window (the Kalman gains do not depend on the data). ``predict`` therefore
    asks statsmodels for the forecasts of an all-zero window and of each unit impulse once per window
    length, which gives that affine map exactly, and then forecasts any number of windows with one
    matrix product: 2000 windows take milliseconds, and the result equals ``results.apply(window)
    .forecast(horizon)`` window by window.

    ARMA is univariate: only feature 0 of the inputs (the forecast target) is used.

    Args:
        order: ``(p, d, q)``. Defaults to ``(2, 0, 1)``: a pair of complex AR roots can follow one
            sine-like oscillation, and the MA term absorbs part of the noise.
        seasonal_order: ``(P, D, Q, s)``. Defaults to ``(0, 0, 0, 0)`` (no seasonality: the synthetic
            series have random periods). Use e.g. ``(1, 0, 0, 12)`` on monthly real data.
        trend: ``"n"``, ``"c"``, ``"t"`` or ``"ct"``. Defaults to ``"c"``.
        horizon: number of steps to forecast. Defaults to ``1``.
        max_fit_windows: how many training windows the fit uses. Defaults to ``100``.

    Example:

    >>> from rnnbook import data
    >>> ds = data.synthetic_dataset(300, 50, (200, 50, 50))
    >>> model = ArimaForecaster().fit(ds.X_train, ds.y_train)
    >>> model.predict(ds.X_valid).shape                     # (batch, horizon)
    (50, 1)
    """

    def __init__(
        self, order=(2, 0, 1), seasonal_order=(0, 0, 0, 0), trend="c", horizon=1, max_fit_windows=100
    ):
        self.order = check_order("order", order, 3)
        self.seasonal_order = check_order("seasonal_order", seasonal_order, 4)
        self.trend = check_choice("trend", trend, TRENDS)
        self.horizon = check_positive_int("horizon", horizon)
        self.max_fit_windows = check_positive_int("max_fit_windows", max_fit_windows)
        self.results_ = None
        self._affine_maps = {}

    def _model(self, endog):
        from statsmodels.tsa.statespace.sarimax import SARIMAX

        return SARIMAX(endog, order=self.order, seasonal_order=self.seasonal_order, trend=self.trend)

    @staticmethod
    def _windows(X) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 3:
            raise ValueError(f"`X` must have shape (batch, steps, features), got {X.shape}.")
        return X[:, :, 0]

    def fit(self, X, y=None, **ignored):
        """Estimate the parameters on (a subset of) the training windows.

        Args:
            X: training windows ``(batch, n_steps, features)``.
            y: their targets ``(batch, horizon)`` (the values right after each window), or ``None``.
            **ignored: Keras-style ``fit`` arguments (epochs, validation data...), not used.

        Returns:
            ``self``.
        """
        from statsmodels.tools.sm_exceptions import ConvergenceWarning

        windows = self._windows(X)
        if y is not None:
            y = np.asarray(y, dtype=np.float64).reshape(len(windows), -1)
            windows = np.concatenate([windows, y], axis=1)
        picked = np.unique(
            np.linspace(0, len(windows) - 1, min(self.max_fit_windows, len(windows))).astype(int)
        )
        gap = np.full(GAP, np.nan)
        endog = np.concatenate([np.concatenate([windows[i], gap]) for i in picked])[:-GAP]
        with warnings.catch_warnings():
            # L-BFGS often stops a hair short of its tolerance on these likelihoods; the parameters are
            # still good, and a bad fit shows up plainly in the validation MSE the model is judged by.
            warnings.simplefilter("ignore", ConvergenceWarning)
            self.results_ = self._model(endog).fit(disp=False)
        self._affine_maps = {}
        return self

    def _affine_map(self, n_steps):
        # forecast(window) == offset + weights @ window: probe with zeros and unit impulses once.
        if n_steps not in self._affine_maps:
            offset = self.results_.apply(np.zeros(n_steps)).forecast(self.horizon)
            weights = np.stack(
                [self.results_.apply(impulse).forecast(self.horizon) - offset for impulse in np.eye(n_steps)],
                axis=1,
            )
            self._affine_maps[n_steps] = (np.asarray(offset), weights)
        return self._affine_maps[n_steps]

    def predict(self, X, **ignored):
        """Forecast the next ``horizon`` values of each window.

        Args:
            X: windows ``(batch, n_steps, features)``.
            **ignored: Keras-style ``predict`` arguments (``verbose``...), not used.

        Returns:
            float32 array ``(batch, horizon)``.
        """
        if self.results_ is None:
            raise RuntimeError("This ArimaForecaster is not fitted yet: call fit(X_train, y_train) first.")
        windows = self._windows(X)
        offset, weights = self._affine_map(windows.shape[1])
        return (offset + windows @ weights.T).astype(np.float32)

    def with_horizon(self, horizon: int) -> ArimaForecaster:
        """This fitted model, forecasting ``horizon`` steps: the same parameters, no new fit.

        An ARMA model's forecast ``h`` steps ahead is its one-step forecast fed its own forecasts, so
        a one-step fit serves every horizon.
        """

        other = copy.copy(self)
        other.horizon = check_positive_int("horizon", horizon)
        other._affine_maps = {}
        return other

    def get_config(self) -> dict:
        """The settings the forecaster is built from (JSON-ready)."""
        return {
            "order": list(self.order),
            "seasonal_order": list(self.seasonal_order),
            "trend": self.trend,
            "horizon": self.horizon,
            "max_fit_windows": self.max_fit_windows,
        }

    def save(self, path) -> None:
        """Write the settings and the fitted parameters to a ``.npz`` file (nothing in it runs code);
        :func:`rnnbook.load_model` re-creates this forecaster from it, forecasting exactly the same.

        Example:

        >>> import os, tempfile, rnnbook
        >>> from rnnbook import data
        >>> ds = data.synthetic_dataset(60, 20, (40, 10, 10))
        >>> model = ArimaForecaster(max_fit_windows=10).fit(ds.X_train, ds.y_train)
        >>> path = os.path.join(tempfile.mkdtemp(), "arma.npz")
        >>> model.save(path)
        >>> bool((rnnbook.load_model(path).predict(ds.X_test) == model.predict(ds.X_test)).all())
        True
        """

        arrays = {} if self.results_ is None else {"params": np.asarray(self.results_.params, np.float64)}
        # A subclass that chose its orders (auto_arima) is, once fitted, this forecaster with those orders.
        save_forecaster(path, self, self.get_config(), arrays, kind="ArimaForecaster")

    @classmethod
    def from_saved(cls, config: dict, arrays: dict) -> ArimaForecaster:
        """The forecaster :meth:`save` wrote: its settings, and the state-space model with its fitted
        parameters (the filter is run on a placeholder series: forecasts of a window depend only on the
        parameters, see ``predict``)."""
        model = cls(**config)
        if "params" in arrays:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # (statsmodels' notes about the placeholder series)
                model.results_ = model._model(np.zeros(_PLACEHOLDER_STEPS)).smooth(arrays["params"])
        return model

    def count_params(self) -> int:
        """Number of estimated parameters (AR, MA, trend and noise variance)."""
        if self.results_ is not None:
            return len(self.results_.params)
        return len(self._model(np.zeros(64)).param_names)

    def __repr__(self):
        return (
            f"ArimaForecaster(order={self.order}, seasonal_order={self.seasonal_order}, "
            f"trend={self.trend!r}, horizon={self.horizon})"
        )


@register_model(
    "arma",
    description="ARMA(2, 1) with a constant (statsmodels SARIMAX), fitted once on the training series.",
    layout="one_step",
    horizon=1,
    kind="forecaster",
)
def arma(
    n_steps=50,
    n_features=1,
    horizon=1,
    order=(2, 0, 1),
    seasonal_order=(0, 0, 0, 0),
    trend="c",
    max_fit_windows=100,
):
    """An :class:`ArimaForecaster`; ``seasonal_order`` turns it into a SARIMA model.

    ``n_steps`` and ``n_features`` are accepted for the builder protocol: the forecaster works with any
    window length and uses feature 0.

    Used in: book/01_sequences.
    """
    if n_steps is not None:
        check_positive_int("n_steps", n_steps)
    check_positive_int("n_features", n_features)
    return ArimaForecaster(order, seasonal_order, trend, horizon, max_fit_windows)
