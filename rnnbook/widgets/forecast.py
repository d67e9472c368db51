"""Forecast explorer: a series, a registered model, a layout and a horizon -> the forecast and its errors.

:func:`forecast_data` is the computation. It gets the registry model ``name`` trained in the chosen
target layout, at the longest horizon offered, from :func:`rnnbook.training.train` -- on the synthetic series
with the book's data and recipe, so that a model the chapters trained is loaded from the trained-model
cache, not trained again:

* ``"one_step"``: a one-step model fed its own forecasts ``horizon`` times, iterated (a model registered
  with ``kind="iterative"`` does the feeding itself);
* ``"vector"``: the model forecasts all ``horizon`` values at once from the window's last step (seq2vec);
* ``"seq2seq"``: a seq2seq model forecasts ``horizon`` values at every step; the last step's forecast is
  the one shown (the chapter's ``last_time_step_mse``).

Every horizon offered is a prefix of the longest forecast, so one trained model serves every horizon
position. The naive forecast (the last value, repeated) is drawn and scored alongside.
:func:`forecast_explorer` precomputes one frame per (series, model, layout, horizon) that the model
supports; an unsupported pair shows why.

A series of your own joins them with :func:`add_series` (a data set from :mod:`rnnbook.frames`, e.g.
``csv_dataset("demand.csv", "demand", ...)``): its models are trained with the recipe it asks for, and its
forecasts and errors are shown in its own units, with split-conformal prediction intervals at 80 and
95 % (:mod:`rnnbook.intervals`) drawn as shaded bands.

Used in: book/04_forecasting.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import functools
import html
import warnings

import numpy as np

from rnnbook._checks import (
    check_choice,
    check_positive_int,
    renamed_attribute,
    renamed_keywords,
    renamed_module_attribute,
    warn_deprecated,
)
from rnnbook.data import LAYOUTS
from rnnbook.widgets._cache import cached_view, dataset_contents
from rnnbook.widgets._frames import Control, FrameView, figure, png_bytes

#: The old word ("strategy") for a layout, and its old values, kept working for a release.
_STRATEGIES = {"iterative": "one_step", "seq2vec": "vector", "seq2seq": "seq2seq"}
#: How a layout is named in a frame's title: a one-step model reaches the horizon fed its own forecasts.
_LABELS = {"one_step": "one step, fed back", "vector": "vector", "seq2seq": "seq2seq"}
#: Input window per series: the real series are short (sunspots: 309 years), so their windows are too.
WINDOWS = {"synthetic": 50, "sunspots": 20, "elnino": 36, "co2": 52}
DEFAULT_MODELS = ("linear", "seq2seq_rnn")
#: The levels (percent) of the prediction intervals drawn for a series of the user's own.
INTERVAL_LEVELS = (80, 95)


class _UserSeries(collections.abc.MutableMapping):
    """The series of the user's own that the explorer offers, by name: the one owner of that state.

    A mapping, as it was when it was a plain dict: ``USER_SERIES[name] = dataset`` checks the data set
    as :func:`add_series` does, and adding, replacing or removing a series also forgets the models
    trained on an earlier data set of that name.
    """

    def __init__(self):
        self._datasets = {}

    def add(self, name: str, dataset) -> str:
        if not isinstance(name, str) or not name or name in WINDOWS:
            raise ValueError(
                f"A series of your own needs a new name (not {', '.join(WINDOWS)}), got {name!r}."
            )
        if getattr(dataset, "rebuild", None) is None or getattr(dataset, "units", None) is None:
            raise ValueError(
                "add_series takes a data set made by rnnbook.frames (frame_dataset or csv_dataset), "
                f"got {type(dataset).__name__}."
            )
        self._datasets[name] = dataset
        _trained.cache_clear()  # a name given to another data set trains anew
        return name

    def remove(self, name: str) -> None:
        """Forget the series ``name`` (nothing happens if there is none)."""
        if self._datasets.pop(name, None) is not None:
            _trained.cache_clear()

    def __setitem__(self, name: str, dataset) -> None:
        self.add(name, dataset)

    def __delitem__(self, name: str) -> None:
        if name not in self._datasets:
            raise KeyError(name)
        self.remove(name)

    def __getitem__(self, name: str):
        return self._datasets[name]

    def __iter__(self):
        return iter(self._datasets)

    def __len__(self) -> int:
        return len(self._datasets)


#: Series of the user's own, by name (:func:`add_series`).
USER_SERIES = _UserSeries()


def add_series(name: str, dataset) -> str:
    """Offer ``dataset`` (a :class:`rnnbook.data.Dataset` made by :mod:`rnnbook.frames`) to the forecast
    explorer as the series ``name``; returns the name.

    The explorer windows it as it was made (its ``n_steps``), cuts it anew for each layout and horizon,
    and shows its forecasts and errors in its units.

    Example:

    >>> import pandas as pd
    >>> from rnnbook.frames import frame_dataset
    >>> s = pd.Series(np.sin(np.arange(300.0) / 4), pd.date_range("2024", periods=300, freq="h"), name="x")
    >>> add_series("my_series", frame_dataset(s, n_steps=24))
    'my_series'
    """
    return USER_SERIES.add(name, dataset)


def layouts_for(spec) -> tuple[str, ...]:
    """The target layouts a registered model can be trained in here, from its registry metadata.

    Args:
        spec: a :class:`rnnbook.registry.ModelSpec`.

    Returns:
        A subset of :data:`rnnbook.data.LAYOUTS`: one-step models can learn one step and be iterated
        (``"one_step"``) or be widened into a vector output (``"vector"``: their builder takes
        ``horizon``); vector models forecast a vector; seq2seq models only seq2seq; iterative models
        and forecaster objects (ARMA) forecast one step and are iterated.

    Example:

    >>> from rnnbook.registry import get_spec
    >>> layouts_for(get_spec("seq2seq_rnn"))            # doctest: +SKIP
    ('seq2seq',)
    """
    if spec.kind in ("iterative", "forecaster"):
        return ("one_step",)
    if spec.layout == "one_step":
        return ("one_step", "vector")
    return (spec.layout,)


def strategies_for(spec) -> tuple[str, ...]:
    """Deprecated: :func:`layouts_for` (the old words: ``"iterative"`` and ``"seq2vec"``)."""
    warn_deprecated("rnnbook.widgets.strategies_for", "rnnbook.widgets.layouts_for")
    old = {layout: word for word, layout in _STRATEGIES.items()}
    return tuple(old[layout] for layout in layouts_for(spec))


def __getattr__(name):  # the old names, kept working for a release
    if name == "STRATEGIES":
        warn_deprecated(f"{__name__}.STRATEGIES", "rnnbook.data.LAYOUTS")
        return tuple(_STRATEGIES)
    return renamed_module_attribute(__name__, name, {})


def _dataset(series: str, horizon: int, layout: str, seed: int, profile: str = "full"):
    from rnnbook import data

    if series in USER_SERIES:
        return data.shape_dataset(USER_SERIES[series], horizon, layout)
    if series == "synthetic":
        return data.shape_dataset(profile, horizon, layout, seed)
    return data.real_dataset(series, WINDOWS[series], horizon=horizon, layout=layout)


@functools.lru_cache(maxsize=64)
def _trained(
    series: str, name: str, layout: str, horizon: int, epochs: int | None, seed: int, profile: str = "full"
):
    """The model trained in ``layout`` by :func:`rnnbook.training.train`, mapping windows to forecasts.

    For the one-step layout a one-step Keras model is wrapped in `rnnbook.layers.IterativeForecaster`
    (the package's one feedback loop); a one-step forecaster object (ARMA) forecasts the horizon itself
    with the parameters of its one-step fit."""
    from rnnbook.registry import get_spec
    from rnnbook.training import train

    spec = get_spec(name)
    if layout not in layouts_for(spec):
        raise ValueError(
            f"Model {name!r} cannot be trained in the {layout!r} layout here; it can in "
            f"{', '.join(layouts_for(spec))}."
        )
    # A one-step model fed its own forecasts is trained as the chapters train it, on one-step targets;
    # otherwise the training plan gives the model its targets for `horizon` (training.model_layout).
    feedback = layout == "one_step" and spec.kind in ("keras", "forecaster")
    fit = {
        "profile": profile,
        "epochs": epochs,
        "seed": seed,
        "progress": False,
        "horizon": None if feedback else horizon,
    }
    if series == "synthetic":
        # The chapters' call (train makes the profile's data for the model's targets, vector ones for a
        # one-step model asked for a horizon): the model they trained, from the trained-model cache.
        model = train(name, **fit).model
    else:
        # The series cut by the training plan for the model's targets, as the leaderboard does (one
        # step ahead for a model fed its own forecasts, whatever the data set's horizon).
        ds = USER_SERIES[series] if series in USER_SERIES else _dataset(series, 1, "one_step", seed)
        model = train(name, ds, retarget=True, **{**fit, "horizon": 1 if feedback else horizon}).model
    if feedback and spec.kind == "forecaster" and horizon > 1:
        if not hasattr(model, "with_horizon"):
            raise ValueError(
                f"Model {name!r} forecasts one step; to forecast {horizon} steps a forecaster object needs a "
                "`with_horizon(h)` method returning itself forecasting h steps (see README, Plugin models)."
            )
        model = model.with_horizon(horizon)
    elif feedback and horizon > 1:  # (one step ahead, a one-step model is its own forecast)
        from rnnbook.layers import IterativeForecaster

        model = IterativeForecaster(model, horizon, name=f"{name}_iterated")
    return model


def _forecast(model, layout: str, X: np.ndarray, horizon: int) -> np.ndarray:
    from rnnbook.training import predict

    y = predict(model, X)
    return y[:, -1, :horizon] if layout == "seq2seq" else y.reshape(len(X), -1)[:, :horizon]


@dataclasses.dataclass(frozen=True, eq=False)
class ForecastData:
    """One trained model's forecasts on the validation windows of a series.

    Attributes:
        series, model, layout: the choice (``layout``: the target layout the model was trained in).
        X: validation input windows ``(m, n_steps)``; ``y``: the true next values ``(m, H)``.
        forecast: the model's forecasts ``(m, H)``; ``naive``: the last value repeated ``(m, H)``.
        mse, naive_mse: MSE at each step ahead ``(H,)`` over the validation windows.
        lower, upper: for a series of the user's own, ``{level: bounds (m, H)}`` of the conformal
            prediction intervals at :data:`INTERVAL_LEVELS` (:func:`rnnbook.intervals.conformal_half_widths`
            of the validation errors, per step ahead; ``inf`` where too few windows for the level);
            empty for the book's series.
    """

    series: str
    model: str
    layout: str
    X: np.ndarray
    y: np.ndarray
    forecast: np.ndarray
    naive: np.ndarray
    mse: np.ndarray
    naive_mse: np.ndarray
    lower: dict = dataclasses.field(default_factory=dict)
    upper: dict = dataclasses.field(default_factory=dict)

    strategy = renamed_attribute("strategy", "layout")

    def errors(self, horizon: int) -> tuple[float, float]:
        """(model MSE, naive MSE) over the first ``horizon`` steps ahead."""
        return float(self.mse[:horizon].mean()), float(self.naive_mse[:horizon].mean())


@renamed_keywords(strategy="layout")
def forecast_data(
    series: str = "synthetic",
    model: str = "linear",
    layout: str = "vector",
    horizon: int = 10,
    *,
    epochs: int | None = None,
    seed: int = 42,
    profile: str = "full",
) -> ForecastData:
    """Evaluate ``model``, trained by :func:`rnnbook.training.train`, on ``series``, trained in ``layout``.

    Args:
        series: ``"synthetic"``, a name of :data:`rnnbook.data.REAL_SERIES` or one given to :func:`add_series`
            (its values, forecasts and errors are then in its own units).
        model: a registry name (plugins included).
        layout: a target layout the model can be trained in (:func:`layouts_for`): ``"one_step"``
            (fed its own forecasts), ``"vector"`` or ``"seq2seq"``.
        horizon: steps ahead.
        epochs: training epochs (``None``: the profile's, so the synthetic models are the chapters').
        seed: seeds data and weights.
        profile: the run profile: the book's ``full`` by default, whatever ``$RNNBOOK_PROFILE`` says.

    Returns:
        A :class:`ForecastData`.

    Example:

    >>> d = forecast_data("synthetic", "linear", "one_step", 5, epochs=1)    # doctest: +SKIP
    >>> d.forecast.shape[1]                                                  # doctest: +SKIP
    5
    """
    check_choice("series", series, (*WINDOWS, *USER_SERIES))
    if layout in ("iterative", "seq2vec"):
        new = _STRATEGIES[layout]
        warn_deprecated(f"forecast_data(layout={layout!r})", f"forecast_data(layout={new!r})", stacklevel=4)
        layout = _STRATEGIES[layout]
    check_choice("layout", layout, LAYOUTS)
    horizon = check_positive_int("horizon", horizon)
    trained = _trained(series, model, layout, horizon, epochs, seed, profile)
    ds = _dataset(series, horizon, "vector", seed, profile)
    X, y = ds.X_valid, ds.y_valid
    forecast = _forecast(trained, layout, X, horizon).astype(np.float64)
    naive = np.repeat(X[:, -1, :1], horizon, axis=1).astype(np.float64)
    X = X[:, :, 0]
    bands = {}
    if ds.units is not None:  # a series of the user's own: everything back in its units
        X, y, forecast, naive = (ds.units.invert(a) for a in (X, y, forecast, naive))
        if np.isfinite(forecast).all():  # a model that diverged is drawn as it is, without bands
            bands = _conformal_bands(y, forecast)
    return ForecastData(
        series=series,
        model=model,
        layout=layout,
        X=X,
        y=y,
        forecast=forecast,
        naive=naive,
        mse=np.mean((forecast - y) ** 2, axis=0),
        naive_mse=np.mean((naive - y) ** 2, axis=0),
        **bands,
    )


def _conformal_bands(y, forecast) -> dict:
    """``{"lower": {level: (m, H)}, "upper": ...}``: split-conformal intervals around ``forecast``, their
    half-width per step ahead calibrated on the errors of the windows shown (the validation windows,
    which the model was not fitted on; a backtest measures the coverage on later windows)."""
    from rnnbook.intervals import conformal_half_widths, prediction_intervals

    bounds = prediction_intervals(forecast, conformal_half_widths(y - forecast, INTERVAL_LEVELS))
    return {
        "lower": {level: low for level, (low, _) in bounds.items()},
        "upper": {level: high for level, (_, high) in bounds.items()},
    }


def render_forecast_frame(d: ForecastData, horizon: int, example: int = 0) -> bytes:
    """History, truth, forecast and naive forecast of one window, and the errors per step ahead."""
    fig = figure((7.4, 3.1))
    ax = fig.add_axes([0.07, 0.15, 0.56, 0.72])
    n = d.X.shape[1]
    history = np.arange(n)
    ahead = np.arange(n, n + horizon)
    ax.plot(history, d.X[example], ".-", color="#555555", lw=1, ms=3, label="history")
    for level in sorted(d.lower, reverse=True):  # the wider band first, the narrower drawn over it
        low, high = d.lower[level][example, :horizon], d.upper[level][example, :horizon]
        if np.isfinite(low).all() and np.isfinite(high).all():  # (inf: too few windows for the level)
            alpha = 0.12 if level == max(d.lower) else 0.25
            x = ahead if horizon > 1 else ahead + np.array([-0.3, 0.3])  # one step: a band 0.6 wide
            low, high = np.broadcast_to(low, x.shape), np.broadcast_to(high, x.shape)
            ax.fill_between(x, low, high, color="tab:red", alpha=alpha, lw=0, label=f"{level} % interval")
    ax.plot(ahead, d.y[example, :horizon], "o", color="tab:blue", mfc="white", ms=4, label="truth")
    ax.plot(ahead, d.forecast[example, :horizon], "x-", color="tab:red", ms=5, lw=1, label=d.model)
    ax.plot(ahead, d.naive[example, :horizon], "--", color="#999999", lw=1, label="naive")
    ax.axvline(n - 0.5, color="#bbbbbb", lw=0.8)
    ax.set_xlim(max(0, n - 40), n + d.y.shape[1] + 0.5)
    ax.tick_params(labelsize=6.5)
    ax.set_xlabel("time step", fontsize=7)
    ax.legend(fontsize=6.5, loc="upper left", ncol=2, framealpha=0.8)
    model_mse, naive_mse = d.errors(horizon)
    ax.set_title(f"{d.series}: {d.model} ({_LABELS[d.layout]}), {horizon} step(s) ahead", fontsize=8.5)
    ax2 = fig.add_axes([0.72, 0.15, 0.26, 0.72])
    steps = np.arange(1, horizon + 1)
    ax2.plot(steps, d.mse[:horizon], "x-", color="tab:red", lw=1, ms=4, label=f"{d.model}: {model_mse:.4f}")
    ax2.plot(steps, d.naive_mse[:horizon], "--", color="#999999", lw=1, label=f"naive: {naive_mse:.4f}")
    ax2.set_xlim(0.5, d.y.shape[1] + 0.5)
    ax2.set_ylim(0, max(d.mse.max(), d.naive_mse.max()) * 1.1)
    ax2.tick_params(labelsize=6.5)
    ax2.set_xlabel("steps ahead", fontsize=7)
    ax2.set_title("validation MSE (mean over\nthe steps shown)", fontsize=7.5)
    ax2.legend(fontsize=6.5, loc="upper left", framealpha=0.8)
    return png_bytes(fig)


def _user_series_contents(arguments) -> dict:
    """What the series of the user's own among ``arguments["series"]`` hold (a name given to another
    data set is another widget)."""
    return {name: dataset_contents(USER_SERIES[name]) for name in arguments["series"] if name in USER_SERIES}


@cached_view("forecast_explorer", "every model's forecasts", contents=_user_series_contents)
def forecast_explorer(
    models=None,
    series=("synthetic", "sunspots"),
    horizons=(1, 5, 10),
    *,
    epochs: int | None = None,
    seed: int = 42,
    profile: str = "full",
) -> FrameView:
    """Pick a series, a registered model, a target layout and a horizon; see the forecast and its errors.

    Every (series, model, layout) the model can be trained in is trained once per machine by
    :func:`rnnbook.training.train` (the trained-model cache) at the longest horizon and drawn for every
    horizon offered; the frames are precomputed, so the controls work in the static book.

    Args:
        models: registry names to offer; ``None`` gives :data:`DEFAULT_MODELS`, ``"all"`` every
            working registered model, plugins included (each trains once per layout: slow).
        series: series offered (``"synthetic"`` and names of :data:`rnnbook.data.REAL_SERIES`).
        horizons: horizons offered; the longest is trained.
        epochs: training epochs per model (``None``: the profile's).
        seed: seeds data and weights.
        profile: the run profile: the book's ``full`` by default, whatever ``$RNNBOOK_PROFILE`` says.

    Returns:
        A :class:`~rnnbook.widgets._frames.FrameView`; ``.data`` maps ``(series, model, layout)`` to
        its :class:`ForecastData`.

    Example:

    >>> from rnnbook.widgets import forecast_explorer
    >>> forecast_explorer(models=["linear", "seq2seq_rnn"])     # doctest: +SKIP
    """
    from rnnbook.registry import PluginWarning, get_spec, list_models

    if models is None:
        models = DEFAULT_MODELS
    elif models == "all":
        models = [s.name for s in list_models(include_broken=False)]
    models = list(models)
    # A broken plugin -- one that fails to load or to build, or breaks the output-shape contract --
    # is shown as broken, with its error, in the widget; it never takes the widget down.
    specs, broken = {}, {}
    for name in models:
        try:
            specs[name] = get_spec(name)
        except RuntimeError as exc:  # unknown names are a ValueError and still raise
            broken[name] = str(exc)
    H = max(horizons)
    data = {}
    for s in series:
        for name in (n for n in models if n in specs):
            for layout in layouts_for(specs[name]):
                if name in broken:
                    break
                try:
                    data[(s, name, layout)] = forecast_data(
                        s, name, layout, H, epochs=epochs, seed=seed, profile=profile
                    )
                except Exception as exc:
                    if specs[name].source == "builtin":
                        raise
                    broken[name] = str(exc)
                    warnings.warn(
                        f"forecast_explorer: model {name!r} is broken: {exc}", PluginWarning, stacklevel=2
                    )

    def frame(key):
        s, m, la, h = key
        if models[m] in broken:
            return (
                f"<p style='padding:2em;color:#a00'><b>{html.escape(models[m])}</b> is broken: "
                f"{html.escape(broken[models[m]])}</p>"
            )
        d = data.get((series[s], models[m], LAYOUTS[la]))
        if d is None:
            ok = ", ".join(layouts_for(specs[models[m]]))
            return (
                f"<p style='padding:2em;color:#555'><b>{models[m]}</b> cannot be trained in the "
                f"<b>{LAYOUTS[la]}</b> layout here; choose {ok}.</p>"
            )
        return render_forecast_frame(d, horizons[h])

    keys = [
        (s, m, la, h)
        for s in range(len(series))
        for m in range(len(models))
        for la in range(len(LAYOUTS))
        for h in range(len(horizons))
    ]
    frames = {key: frame(key) for key in keys}
    working = [n for n in models if n not in broken]
    first = layouts_for(specs[working[0]])[0] if working else LAYOUTS[0]
    controls = [
        Control("series", "series", list(series), kind="dropdown"),
        Control("model", "model", models, kind="dropdown"),
        Control("layout", "layout", list(LAYOUTS), kind="toggle", initial=LAYOUTS.index(first)),
        Control("horizon", "horizon", [str(h) for h in horizons], initial=len(horizons) - 1),
    ]
    title = (
        "<b>Forecast explorer</b> &mdash; every model trained by <code>rnnbook.training.train</code> "
        "on the series' training windows (the real series standardised); errors on the validation "
        "windows."
    )
    return FrameView(controls, frames, title=title, data=data)
