"""The forecasters' standard baselines -- ETS, automatic ARIMA and Theta (the M-competition benchmarks) --
behind the same ``fit``/``predict`` as every other model.

Each is fitted once on the training series and then forecasts every window from the window alone, as
the networks do:

* **Fitting.** The training windows of a user's series overlap (stride 1): :func:`training_series`
  rebuilds the series from them (the first window, then each next window's last value, then the last
  window's targets) and the model is chosen and fitted on its last ``max_fit_steps`` values. Windows that
  are not one series (the chapter's synthetic data) give the last window and its targets.
* **Forecasting.** With its parameters fixed, each model runs over the window and forecasts from its
  end; the three are linear in the window, so 2,000 windows take milliseconds.

``ets`` chooses by AIC among additive-error ETS models (statsmodels ``ETSModel``): no trend, additive
trend or damped trend, each with or without an additive season. ``auto_arima`` chooses SARIMA orders
with pmdarima's stepwise ``auto_arima`` and forecasts like :class:`~rnnbook.models.arma.ArimaForecaster`.
``theta`` is the Theta method (statsmodels ``ThetaModel``'s forecast: simple exponential smoothing plus
half the linear trend), on the window with its season removed.

statsmodels and pmdarima are imported inside the functions that use them, so ``import rnnbook`` stays
fast.

Used in: ``rnnbook leaderboard --csv``.
"""

from __future__ import annotations

import copy
import warnings

import numpy as np

from rnnbook._checks import check_positive_int
from rnnbook.models._saved import save_forecaster
from rnnbook.models.arma import ArimaForecaster
from rnnbook.specs import register_model


def training_series(X, y=None) -> np.ndarray:
    """The series feature 0 of the training windows ``X`` (and their targets ``y``) were cut from.

    Example:

    >>> s = np.arange(10.0)
    >>> X = np.stack([s[i : i + 4] for i in range(5)])[:, :, None]   # (5, 4, 1): stride-1 windows
    >>> training_series(X, s[4:9]).tolist()                          # the series up to the last target
    [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]
    """
    x = _windows(X)
    last_targets = np.asarray(y, dtype=np.float64).reshape(len(x), -1)[-1] if y is not None else []
    if len(x) > 1 and np.allclose(x[1:, :-1], x[:-1, 1:]):  # stride-1 windows of one series
        series = np.concatenate([x[0], x[1:, -1]])
        if y is not None:  # the targets of the last window follow it: its first one is a new value
            series = np.concatenate([series, last_targets[:1]])
        return series
    return np.concatenate([x[-1], last_targets])


def _windows(X) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 3:
        raise ValueError(f"`X` must have shape (batch, steps, features), got {X.shape}.")
    return X[:, :, 0]


class _WindowForecaster:
    """What the three share: the horizon, ``with_horizon`` and the fit-before-predict check."""

    horizon: int

    def _fitted(self):
        if getattr(self, "params_", None) is None:
            raise RuntimeError(f"This {type(self).__name__} is not fitted yet: call fit(X_train, y_train).")

    def with_horizon(self, horizon: int):
        """This fitted model, forecasting ``horizon`` steps: the same parameters, no new fit."""
        other = copy.copy(self)
        other.horizon = check_positive_int("horizon", horizon)
        return other

    # What ``save`` keeps besides the settings: the fitted state, all of it JSON (floats and choices).
    _FITTED = ("params_",)

    def get_config(self) -> dict:
        """The settings the forecaster is built from (JSON-ready)."""
        return {"season": self.season, "horizon": self.horizon, "max_fit_steps": self.max_fit_steps}

    def save(self, path) -> None:
        """Write the settings and the fitted parameters to a ``.npz`` file (nothing in it runs code);
        :func:`rnnbook.load_model` re-creates this forecaster from it, forecasting exactly the same."""

        fitted = {name: getattr(self, name) for name in self._FITTED}
        save_forecaster(path, self, {**self.get_config(), "fitted": fitted}, {})

    @classmethod
    def from_saved(cls, config: dict, arrays: dict):
        """The forecaster :meth:`save` wrote."""
        config = dict(config)
        fitted = config.pop("fitted")
        model = cls(**config)
        for name, value in fitted.items():
            setattr(model, name, tuple(value) if isinstance(value, list) else value)
        return model


class EtsForecaster(_WindowForecaster):
    """Exponential smoothing with additive errors (ETS(A,N/A/Ad,N/A)), the model chosen by AIC.

    Per window the states start from its first season (level: its mean; trend: the change to the
    second season's mean, per step, else 0; season: the first season's values less the level) and
    follow the ETS recursions with the fitted smoothing parameters.

    Args:
        season: the seasonal period in steps (``1``: no seasonal models among the candidates).
        horizon: steps ahead. Defaults to ``1``.
        max_fit_steps: how many of the training series' last values the choice and fit use.

    Example:

    >>> t = np.arange(400.0)
    >>> series = np.sin(2 * np.pi * t / 7) + 0.01 * t
    >>> X = np.stack([series[i : i + 28] for i in range(360)])[:, :, None]
    >>> model = EtsForecaster(season=7, horizon=3).fit(X, series[28:388])
    >>> model.predict(X[-2:]).shape                         # (batch, horizon)
    (2, 3)
    """

    _FITTED = ("params_", "choice_", "_n_params")

    def __init__(self, season: int = 7, horizon: int = 1, max_fit_steps: int = 1000):
        self.season = check_positive_int("season", season)
        self.horizon = check_positive_int("horizon", horizon)
        self.max_fit_steps = check_positive_int("max_fit_steps", max_fit_steps)
        self.params_ = None
        self.choice_ = None

    def _candidates(self, n: int):
        seasonal = (None, "add") if self.season > 1 and n >= 2 * self.season + 10 else (None,)
        for trend, damped in ((None, False), ("add", False), ("add", True)):
            for season in seasonal:
                yield trend, damped, season

    def fit(self, X, y=None, **ignored):
        """Choose the model by AIC on the training series and keep its smoothing parameters."""
        from statsmodels.tools.sm_exceptions import ConvergenceWarning
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel

        series = training_series(X, y)[-self.max_fit_steps :]
        best = None
        for trend, damped, season in self._candidates(len(series)):
            model = ETSModel(
                series,
                error="add",
                trend=trend,
                damped_trend=damped,
                seasonal=season,
                seasonal_periods=self.season if season else None,
            )
            with warnings.catch_warnings():  # a hair short of the tolerance: still a usable fit
                warnings.simplefilter("ignore", ConvergenceWarning)
                warnings.simplefilter("ignore", RuntimeWarning)
                results = model.fit(disp=False)
            if np.isfinite(results.aic) and (best is None or results.aic < best[0]):
                best = (results.aic, (trend, damped, season), results)
        if best is None:
            raise RuntimeError(
                f"No ETS model could be fitted to the {len(series)} training values (every candidate's AIC "
                "is not finite); try another model or a longer training period."
            )
        _, self.choice_, results = best
        names = dict(zip(results.model.param_names, results.params))
        self.params_ = {
            "alpha": float(names["smoothing_level"]),
            "beta": float(names.get("smoothing_trend", 0.0)),
            "gamma": float(names.get("smoothing_seasonal", 0.0)),
            "phi": float(names.get("damping_trend", 1.0)),
        }
        self._n_params = len(results.params)
        return self

    @property
    def name(self) -> str:
        """The chosen model in ETS notation, e.g. ``"ETS(A,Ad,A)"``."""
        if self.choice_ is None:
            return "ETS(unfitted)"
        trend, damped, season = self.choice_
        return f"ETS(A,{'N' if trend is None else 'Ad' if damped else 'A'},{'A' if season else 'N'})"

    def _states(self, x: np.ndarray):
        """The initial level, trend and season of each window (``x``: ``(batch, steps)``)."""
        trend, _, season = self.choice_
        m = self.season if season else 1
        m = min(m, x.shape[1])
        level = x[:, :m].mean(axis=1)
        slope = np.zeros(len(x))
        if trend is not None and x.shape[1] >= 2 * m:
            slope = (x[:, m : 2 * m].mean(axis=1) - level) / m
        seasons = (x[:, :m] - level[:, None]) if season else np.zeros((len(x), 1))
        return level, slope, seasons

    def predict(self, X, **ignored) -> np.ndarray:
        """Forecast the next ``horizon`` values of each window: float32 ``(batch, horizon)``."""
        self._fitted()
        x = _windows(X)
        p = self.params_
        trend, damped, season = self.choice_
        level, slope, seasons = self._states(x)
        phi = (p["phi"] if damped else 1.0) if trend is not None else 0.0
        m = seasons.shape[1]
        for t in range(x.shape[1]):
            k = t % m
            error = x[:, t] - (level + phi * slope + seasons[:, k])
            level = level + phi * slope + p["alpha"] * error
            slope = phi * slope + p["beta"] * error
            if season:
                seasons[:, k] = seasons[:, k] + p["gamma"] * error
        steps = np.arange(1, self.horizon + 1)
        damping = np.cumsum(phi**steps)  # phi + phi^2 + ... + phi^h
        forecast = level[:, None] + damping[None] * slope[:, None]
        forecast += seasons[:, (x.shape[1] + steps - 1) % m]
        return forecast.astype(np.float32)

    def count_params(self) -> int:
        """The fitted model's parameters (smoothing parameters and initial states), 0 before fitting."""
        return int(getattr(self, "_n_params", 0))

    def __repr__(self):
        return f"EtsForecaster({self.name}, season={self.season}, horizon={self.horizon})"


class ThetaForecaster(_WindowForecaster):
    """The Theta method (theta = 2) on each window, its smoothing parameter fitted on the training series.

    Per window: the season removed (additive classical decomposition: the mean, over the window's steps
    of each phase, of the values less their centred moving average over one season), the linear
    trend's slope ``b0`` fitted, simple exponential smoothing from the first value with the fitted
    ``alpha``; the forecast ``h`` steps ahead is the smoothed level plus
    ``b0 / 2 * (h - 1 + 1/alpha - (1 - alpha)**n / alpha)`` (statsmodels ``ThetaModel``,
    ``use_mle=False``), with the season added back.

    Args:
        season: the seasonal period in steps (``1``: no season removed).
        horizon: steps ahead. Defaults to ``1``.
        max_fit_steps: how many of the training series' last values fit ``alpha``.

    Example:

    >>> series = 5 + np.sin(2 * np.pi * np.arange(300.0) / 7)
    >>> X = np.stack([series[i : i + 28] for i in range(260)])[:, :, None]
    >>> model = ThetaForecaster(season=7).fit(X, series[28:288])
    >>> model.predict(X[:1]).shape                           # (batch, horizon)
    (1, 1)
    """

    def __init__(self, season: int = 7, horizon: int = 1, max_fit_steps: int = 1000):
        self.season = check_positive_int("season", season)
        self.horizon = check_positive_int("horizon", horizon)
        self.max_fit_steps = check_positive_int("max_fit_steps", max_fit_steps)
        self.params_ = None

    def fit(self, X, y=None, **ignored):
        """Fit ``alpha`` on the training series, its season removed as :meth:`predict` removes it."""
        from statsmodels.tsa.forecasting.theta import ThetaModel

        series = training_series(X, y)[-self.max_fit_steps :]
        indices = self._seasonal_indices(series[None])[0]
        deseasonalized = series - indices[np.arange(len(series)) % len(indices)]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            results = ThetaModel(deseasonalized, deseasonalize=False).fit(use_mle=False)
        self.params_ = {"alpha": float(min(max(results.params["alpha"], 1e-6), 1.0))}
        return self

    def _m(self, n: int) -> int:
        """The season removed: none unless the window holds two full seasons."""
        return self.season if self.season > 1 and n >= 2 * self.season else 1

    def _seasonal_indices(self, x: np.ndarray) -> np.ndarray:
        """``(batch, m)``: index ``k`` is the mean, over the steps ``t`` with ``t % m == k``, of the value
        less its centred moving average over one season (classical additive decomposition)."""
        n = x.shape[1]
        m = self._m(n)
        if m == 1:
            return np.zeros((len(x), 1))
        # A centred moving average over one season: m values for odd m, a 2 x m average for even m.
        weights = np.ones(m) / m if m % 2 else np.r_[0.5, np.ones(m - 1), 0.5] / m
        offset = len(weights) // 2
        trend = np.lib.stride_tricks.sliding_window_view(x, len(weights), axis=1) @ weights
        residuals = x[:, offset : offset + trend.shape[1]] - trend
        phases = (offset + np.arange(trend.shape[1])) % m
        indices = np.stack([residuals[:, phases == k].mean(axis=1) for k in range(m)], axis=1)
        return indices - indices.mean(axis=1, keepdims=True)

    def predict(self, X, **ignored) -> np.ndarray:
        """Forecast the next ``horizon`` values of each window: float32 ``(batch, horizon)``."""
        self._fitted()
        x = _windows(X)
        n = x.shape[1]
        indices = self._seasonal_indices(x)
        m = indices.shape[1]
        z = x - indices[:, np.arange(n) % m]
        t = np.arange(n, dtype=np.float64)
        slope = ((t - t.mean()) @ (z - z.mean(axis=1, keepdims=True)).T) / np.sum((t - t.mean()) ** 2)
        alpha = self.params_["alpha"]
        level = z[:, 0].copy()
        for step in range(n):  # statsmodels' SES from a known initial level, the first value
            level = level + alpha * (z[:, step] - level)
        h = np.arange(self.horizon, dtype=np.float64) + 1 / alpha - (1 - alpha) ** n / alpha
        forecast = level[:, None] + 0.5 * slope[:, None] * h[None]
        forecast += indices[:, (n + np.arange(self.horizon)) % m]
        return forecast.astype(np.float32)

    def count_params(self) -> int:
        """One smoothing parameter (the slope and the season are the window's own)."""
        return 1

    def __repr__(self):
        return f"ThetaForecaster(season={self.season}, horizon={self.horizon})"


class AutoArimaForecaster(ArimaForecaster):
    """SARIMA with its orders chosen by pmdarima's stepwise ``auto_arima`` (AIC) on the training series;
    it then forecasts like :class:`~rnnbook.models.arma.ArimaForecaster` (the affine map of the window).

    Args:
        season: the seasonal period in steps (``1``: non-seasonal ARIMA).
        horizon: steps ahead. Defaults to ``1``.
        max_fit_steps: how many of the training series' last values the search uses (each candidate
            is a full maximum-likelihood fit: the search is the slow part).
        max_order: the largest ``p`` and ``q`` tried (``P`` and ``Q`` at most 1).
    """

    def __init__(self, season: int = 7, horizon: int = 1, max_fit_steps: int = 300, max_order: int = 2):
        super().__init__(horizon=horizon)
        self.season = check_positive_int("season", season)
        self.max_fit_steps = check_positive_int("max_fit_steps", max_fit_steps)
        self.max_order = check_positive_int("max_order", max_order)

    def fit(self, X, y=None, **ignored):
        """Search the orders and keep the chosen model's fitted parameters."""
        import pmdarima

        series = training_series(X, y)[-self.max_fit_steps :]
        seasonal = self.season > 1 and len(series) >= 3 * self.season
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            chosen = pmdarima.auto_arima(
                series,
                m=self.season if seasonal else 1,
                seasonal=seasonal,
                start_p=min(2, self.max_order),  # pmdarima starts its search at 2, above a max_order of 1
                start_q=min(2, self.max_order),
                max_p=self.max_order,
                max_q=self.max_order,
                max_P=1,
                max_Q=1,
                stepwise=True,
                suppress_warnings=True,
                error_action="ignore",
            )
        self.order = tuple(int(v) for v in chosen.order)
        self.seasonal_order = tuple(int(v) for v in chosen.seasonal_order)
        self.results_ = chosen.arima_res_
        self.trend = "c" if chosen.with_intercept else "n"
        self._affine_maps = {}
        return self

    def __repr__(self):
        return f"AutoArimaForecaster(order={self.order}, seasonal_order={self.seasonal_order})"


def _check_builder(n_steps, n_features):
    if n_steps is not None:
        check_positive_int("n_steps", n_steps)
    check_positive_int("n_features", n_features)


@register_model(
    "ets",
    description="Exponential smoothing (ETS, additive errors), the trend and season chosen by AIC "
    "(statsmodels ETSModel).",
    layout="one_step",
    horizon=1,
    kind="forecaster",
)
def ets(n_steps=50, n_features=1, horizon=1, season=1, max_fit_steps=1000):
    """An :class:`EtsForecaster` (the data set's ``season``; without one, such as
    the chapter's synthetic series of random periods, no season).

    Used in: book/09_real_series, ``rnnbook leaderboard --csv``.
    """
    _check_builder(n_steps, n_features)
    return EtsForecaster(season, horizon, max_fit_steps)


@register_model(
    "auto_arima",
    description="SARIMA, its orders chosen by stepwise AIC search (pmdarima auto_arima).",
    layout="one_step",
    horizon=1,
    kind="forecaster",
)
def auto_arima(n_steps=50, n_features=1, horizon=1, season=1, max_fit_steps=300, max_order=2):
    """An :class:`AutoArimaForecaster` (the data set's ``season``; without one, such as
    the chapter's synthetic series of random periods, no season).

    Used in: ``rnnbook leaderboard --csv``.
    """
    _check_builder(n_steps, n_features)
    return AutoArimaForecaster(season, horizon, max_fit_steps, max_order)


@register_model(
    "theta",
    description="The Theta method on the deseasonalised window (statsmodels ThetaModel's forecast).",
    layout="one_step",
    horizon=1,
    kind="forecaster",
)
def theta(n_steps=50, n_features=1, horizon=1, season=1, max_fit_steps=1000):
    """A :class:`ThetaForecaster` (the data set's ``season``; without one, such as
    the chapter's synthetic series of random periods, no season).

    Used in: book/09_real_series, ``rnnbook leaderboard --csv``.
    """
    _check_builder(n_steps, n_features)
    return ThetaForecaster(season, horizon, max_fit_steps)
