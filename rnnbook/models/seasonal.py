"""Baselines for seasonal data: the seasonal naive forecast and SARIMA, on the same leaderboard as the
networks.

A series with a weekly (daily data) or daily (hourly data) cycle is forecast well by the value one
season earlier; any model worth training must beat that, and a SARIMA model with a seasonal order is the
classical model to compare with (Géron, handson-ml3 ch. 15).

Used in: book/09_real_series.
"""

from __future__ import annotations

import numpy as np

from rnnbook._checks import check_positive_int
from rnnbook.models._saved import save_forecaster
from rnnbook.models.arma import ArimaForecaster
from rnnbook.specs import register_model


class SeasonalNaive:
    """Forecasts each step with the value one season (``season`` steps) earlier: ``y(t) = y(t - season)``.

    Nothing is fitted; ``fit`` only checks the windows. Steps further ahead than one season repeat the
    last season of the window. Uses feature 0 (the target), or the first ``n_targets`` features
    (multitask: the forecasts ``(batch, n_targets * horizon)``, target-major).

    Example:

    >>> X = np.arange(10.0).reshape(1, 10, 1)                 # one window 0..9
    >>> SeasonalNaive(season=3, horizon=4).fit(X).predict(X).tolist()
    [[7.0, 8.0, 9.0, 7.0]]
    """

    def __init__(self, season: int = 7, horizon: int = 1, n_targets: int = 1):
        self.season = check_positive_int("season", season)
        self.horizon = check_positive_int("horizon", horizon)
        self.n_targets = check_positive_int("n_targets", n_targets)

    def _windows(self, X) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 3:
            raise ValueError(f"`X` must have shape (batch, steps, features), got {X.shape}.")
        if X.shape[1] < self.season:
            raise ValueError(
                f"A seasonal naive forecast with season={self.season} needs windows of at least "
                f"{self.season} steps, got {X.shape[1]}."
            )
        if X.shape[2] < self.n_targets:
            raise ValueError(f"`X` has {X.shape[2]} feature(s), fewer than n_targets={self.n_targets}.")
        return X[:, :, : self.n_targets]

    def fit(self, X, y=None, **ignored):
        """Nothing to estimate: checks that the windows cover a season. Returns ``self``."""
        self._windows(X)
        return self

    def predict(self, X, **ignored) -> np.ndarray:
        """The forecasts ``(batch, horizon)`` as float32."""
        windows = self._windows(X)
        last_season = windows[:, windows.shape[1] - self.season :]
        forecasts = last_season[:, np.arange(self.horizon) % self.season]  # (batch, horizon, n_targets)
        return forecasts.transpose(0, 2, 1).reshape(len(windows), -1).astype(np.float32)

    def with_horizon(self, horizon: int) -> SeasonalNaive:
        """The same forecast, ``horizon`` steps ahead."""
        return SeasonalNaive(self.season, horizon, self.n_targets)

    def count_params(self) -> int:
        return 0

    def get_config(self) -> dict:
        """The settings the forecaster is built from (JSON-ready)."""
        return {"season": self.season, "horizon": self.horizon, "n_targets": self.n_targets}

    def save(self, path) -> None:
        """Write the settings to a ``.npz`` file; :func:`rnnbook.load_model` re-creates the forecaster."""

        save_forecaster(path, self, self.get_config(), {})

    @classmethod
    def from_saved(cls, config: dict, arrays: dict) -> SeasonalNaive:
        """The forecaster :meth:`save` wrote (it has no parameters)."""
        return cls(**config)

    def __repr__(self):
        return f"SeasonalNaive(season={self.season}, horizon={self.horizon})"


@register_model(
    "seasonal_naive",
    description="Seasonal naive forecast: the value one season earlier "
    "(season=7 unless the data set says otherwise).",
    layout="one_step",
    horizon=1,
    kind="forecaster",
)
def seasonal_naive(n_steps=50, n_features=1, horizon=1, season=7, n_targets=1):
    """A :class:`SeasonalNaive` forecaster (lag ``season``); no weights.

    Used in: book/09_real_series.
    """
    check_positive_int("n_features", n_features)
    if n_steps is not None and check_positive_int("n_steps", n_steps) < season:
        raise ValueError(
            f"seasonal_naive needs n_steps >= season, got n_steps={n_steps} and season={season}."
        )
    return SeasonalNaive(season, horizon, n_targets)


@register_model(
    "sarima",
    description="SARIMA(1,0,1)(0,1,1)_season (statsmodels SARIMAX), fitted once on the training series.",
    layout="one_step",
    horizon=1,
    kind="forecaster",
)
def sarima(
    n_steps=50,
    n_features=1,
    horizon=1,
    season=7,
    order=(1, 0, 1),
    seasonal_order=None,
    trend="n",
    max_fit_windows=50,
):
    """An :class:`~rnnbook.models.arma.ArimaForecaster` with a seasonal difference and a seasonal MA
    term: ``seasonal_order`` defaults to ``(0, 1, 1, season)`` (the airline-model season, the choice
    handson-ml3 reaches from the ACF and PACF of a weekly-seasonal series).

    Used in: ``rnnbook leaderboard --csv``.
    """
    season = check_positive_int("season", season)
    if n_steps is not None:
        check_positive_int("n_steps", n_steps)
    check_positive_int("n_features", n_features)
    if seasonal_order is None and season == 1:
        raise ValueError(
            "sarima needs a season of at least 2 steps, got season=1 (the data's step has no usual "
            "season): pass season= (--season) or use arma."
        )
    seasonal_order = (0, 1, 1, season) if seasonal_order is None else seasonal_order
    return ArimaForecaster(order, seasonal_order, trend, horizon, max_fit_windows)
