"""rnnbook.data: the synthetic recipe, targets, windows, splits, real series and their errors."""

import numpy as np
import pytest

from rnnbook import data


def test_synthetic_series_follows_the_recipe():
    series = data.generate_time_series(3, 20, seed=7)
    rng = np.random.default_rng(7)
    f1, f2, o1, o2 = rng.random((4, 3, 1))
    t = np.linspace(0, 1, 20)
    expected = 0.5 * np.sin((t - o1) * (f1 * 10 + 10)) + 0.2 * np.sin((t - o2) * (f2 * 20 + 20))
    expected += 0.1 * (rng.random((3, 20)) - 0.5)
    assert series.shape == (3, 20, 1) and series.dtype == np.float32
    np.testing.assert_allclose(series[..., 0], expected, atol=1e-6)


def test_same_seed_same_series_and_generator_streams():
    np.testing.assert_array_equal(
        data.generate_time_series(4, 30, seed=1), data.generate_time_series(4, 30, seed=1)
    )
    assert not np.array_equal(
        data.generate_time_series(4, 30, seed=1), data.generate_time_series(4, 30, seed=2)
    )
    rng = np.random.default_rng(0)
    a, b = data.generate_time_series(2, 10, seed=rng), data.generate_time_series(2, 10, seed=rng)
    assert not np.array_equal(a, b)


@pytest.mark.parametrize("target,horizon", [("one_step", 1), ("vector", 10), ("seq2seq", 10)])
def test_targets_equal_the_series_values_they_claim(target, horizon):
    s = data.generate_time_series(5, 50 + horizon, seed=3)
    X, y = data.make_targets(s, 50, horizon, target)
    np.testing.assert_array_equal(X, s[:, :50])
    if target == "seq2seq":
        assert y.shape == (5, 50, horizon)
        for t in (0, 17, 49):
            for k in range(horizon):
                assert y[2, t, k] == s[2, t + 1 + k, 0]
    else:
        assert y.shape == (5, horizon)
        np.testing.assert_array_equal(y, s[:, 50 : 50 + horizon, 0])


def test_multivariate_inputs_keep_every_feature_and_forecast_the_chosen_one():
    s = np.random.default_rng(0).normal(size=(4, 13, 3)).astype(np.float32)
    X, y = data.make_targets(s, 10, 3, "vector", target_feature=2)
    assert X.shape == (4, 10, 3)
    np.testing.assert_array_equal(y, s[:, 10:, 2])


def test_sliding_windows_and_split():
    w = data.sliding_windows(np.arange(10.0), 4, stride=2)
    assert w.shape == (4, 4, 1) and w[-1, 0, 0] == 6.0
    train, valid, test = data.split_batch(np.arange(10), (6, 3, 1))
    assert train.tolist() == list(range(6)) and valid.tolist() == [6, 7, 8] and test.tolist() == [9]


def test_synthetic_dataset_shares_inputs_across_targets():
    a = data.synthetic_dataset(50, 20, (30, 10, 10), horizon=1, seed=5)
    b = data.synthetic_dataset(50, 20, (30, 10, 10), horizon=10, layout="seq2seq", seed=5)
    np.testing.assert_array_equal(a.X_valid, b.X_valid)
    assert b.y_valid.shape == (10, 20, 10)
    np.testing.assert_array_equal(a.y_valid[:, 0], b.y_valid[:, -1, 0])
    c = data.shape_dataset(a, 5, "vector")
    np.testing.assert_array_equal(c.y_train[:, 0], a.y_train[:, 0])


@pytest.mark.parametrize("name", ["co2", "sunspots", "elnino"])
def test_real_series_load_offline_and_window(name):
    s = data.load_series(name)
    assert len(s) > 300 and np.isfinite(s.to_numpy()).all()
    ds = data.real_dataset(name, n_steps=24, horizon=3, layout="vector")
    assert ds.X_train.shape[1:] == (24, 1) and ds.y_train.shape[1:] == (3,)
    assert len(ds.X_train) > len(ds.X_valid) > 0 and len(ds.X_test) > 0
    # The training period is standardized with its own statistics.
    assert abs(float(ds.X_train[:, 0, 0].mean())) < 0.5


def test_real_windows_are_chronological():
    ds = data.real_dataset("sunspots", n_steps=10, horizon=1, standardize=False)
    values = data.load_series("sunspots").to_numpy()
    np.testing.assert_allclose(ds.X_train[0, :, 0], values[:10], rtol=1e-6)
    np.testing.assert_allclose(ds.y_train[0, 0], values[10], rtol=1e-6)


def test_scaling_reads_the_training_period_only_and_equals_pandas():
    import pandas as pd

    values = np.random.default_rng(0).normal([10.0, -3.0, 1e6], [2.0, 0.5, 1e-3], size=(20_000, 3))
    bounds = data.split_in_time(len(values))
    scaled, mean, std = data.scale_by_training(values, bounds)
    train = pd.DataFrame(values[: bounds[1]])
    # Bit for bit the numbers frame_dataset took from pandas before it shared this function.
    assert mean.tobytes() == train.mean().to_numpy().tobytes()
    assert std.tobytes() == train.std(ddof=0).to_numpy().tobytes()
    np.testing.assert_array_equal(scaled, (values - mean) / std)
    later = values.copy()
    later[bounds[1] :] += 100.0  # the later periods set nothing
    _, mean2, std2 = data.scale_by_training(later, bounds)
    np.testing.assert_array_equal(mean2, mean)
    np.testing.assert_array_equal(std2, std)
    same, zero, one = data.scale_by_training(values, bounds, scale=False)
    np.testing.assert_array_equal(same, values)
    assert zero.tolist() == [0.0] * 3 and one.tolist() == [1.0] * 3


@pytest.mark.parametrize(
    "bad,message",
    [
        (np.nan, "NaN"),
        (np.inf, "inf"),
    ],
)
def test_non_finite_values_are_refused(bad, message):
    s = data.generate_time_series(2, 11, seed=0)
    s[1, 4, 0] = bad
    with pytest.raises(ValueError, match=message):
        data.make_targets(s, 10, 1)
    with pytest.raises(ValueError, match=message):
        data.sliding_windows(s[1, :, 0], 5)


def test_errors_name_the_problem():
    s = data.generate_time_series(2, 11, seed=0)
    with pytest.raises(ValueError, match="longer than the series"):
        data.sliding_windows(np.arange(5.0), 6)
    with pytest.raises(ValueError, match="n_steps \\+ horizon"):
        data.make_targets(s, 20, 1)
    with pytest.raises(ValueError, match="silently drop"):
        data.make_targets(s, 5, 1)
    with pytest.raises(ValueError, match="rank 3"):
        data.make_targets(s[:, :, 0], 10, 1)
    with pytest.raises(ValueError, match="`horizon`.*positive integer, got 0"):
        data.make_targets(s, 11, 0, "vector")
    with pytest.raises(ValueError, match="`n_steps`.*got -3"):
        data.generate_time_series(2, -3)
    with pytest.raises(ValueError, match="one_step"):
        data.make_targets(s, 9, 2, "one_step")
    with pytest.raises(ValueError, match="`layout`"):
        data.make_targets(s, 10, 1, "seq2vec")
    with pytest.raises(ValueError, match="add up to"):
        data.split_batch(np.arange(10), (6, 3, 2))
    with pytest.raises(ValueError, match="`split\\[2\\]`.*got 0"):
        data.split_batch(np.arange(9), (6, 3, 0))
    with pytest.raises(ValueError, match="empty"):
        data.make_targets(np.zeros((0, 11, 1)), 10, 1)
    with pytest.raises(ValueError, match="valid split would be empty"):
        data.real_dataset("sunspots", n_steps=80, horizon=1)
    with pytest.raises(ValueError, match="`name`"):
        data.load_series("bitcoin")


@pytest.mark.parametrize(
    "values, fragment",
    [
        (
            np.array(["2024-01-01", "2024-01-02", "2024-01-03"], dtype="datetime64[D]"),
            "datetime64[D] -- dates",
        ),
        (np.array([1 + 2j, 3 + 0j, 1j]), "complex128 -- complex values"),
        (np.array([True, False, True]), "bool -- booleans"),
        (np.array(["1", "2", "3"]), "<U1"),
    ],
)
def test_values_that_are_not_real_numbers_are_refused_not_cast(values, fragment):
    for call in (
        lambda: data.sliding_windows(values, 2),
        lambda: data.make_targets(values[None, :, None], 2),
    ):
        with pytest.raises(ValueError, match="must hold real numbers") as info:
            call()
        assert fragment in str(info.value)


def _reference_recipe():
    """bench/reference_recipe.py: the chapter's data built as the chapter builds them, without rnnbook."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "bench" / "reference_recipe.py"
    spec = importlib.util.spec_from_file_location("reference_recipe", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_chapter_draw_is_the_chapters_data_and_scores_the_published_naive_values():
    from rnnbook.published import published_mse

    reference = _reference_recipe()
    state = np.random.get_state()  # the chapter seeds NumPy's global generator
    try:
        one, ten, seq = (reference.data(kind) for kind in ("one_step", "vector", "seq2seq"))
    finally:
        np.random.set_state(state)
    for kind, ours, theirs in (
        ("one_step", data.synthetic_dataset(horizon=1, draw="chapter"), one),
        ("vector", data.synthetic_dataset(horizon=10, layout="vector", draw="chapter"), ten),
        ("seq2seq", data.synthetic_dataset(horizon=10, layout="seq2seq", draw="chapter"), seq),
    ):
        for got, want in zip(
            (ours.X_train, ours.y_train, ours.X_valid, ours.y_valid, ours.X_test, ours.y_test), theirs
        ):
            np.testing.assert_array_equal(got, want, err_msg=kind)
    ds1 = data.synthetic_dataset(horizon=1, draw="chapter")
    ds10 = data.synthetic_dataset(horizon=10, layout="vector", draw="chapter")
    naive_1 = np.mean((ds1.X_valid[:, -1] - ds1.y_valid) ** 2)
    naive_10 = np.mean((ds10.X_valid[:, -1] - ds10.y_valid) ** 2)
    assert abs(naive_1 - published_mse("naive_last_value")) < 1e-8  # 0.020211367 (published)
    assert abs(naive_10 - published_mse("naive_n_steps")) < 1e-7  # 0.25697407
    # The default draw is another data set: the same generator, NumPy's modern stream.
    assert not np.array_equal(data.synthetic_dataset(horizon=1).X_train, ds1.X_train)


def test_the_chapter_draw_needs_an_int_seed_and_a_known_draw():
    with pytest.raises(ValueError, match="draw='chapter' needs an int seed"):
        data.synthetic_dataset(100, 20, (60, 20, 20), draw="chapter", seed=np.random.default_rng(0))
    with pytest.raises(ValueError, match="draw"):
        data.synthetic_dataset(100, 20, (60, 20, 20), draw="legacy")


def test_shape_dataset_cuts_the_kept_series_or_remakes_the_data():
    chapter = data.synthetic_dataset(300, 20, (200, 50, 50), horizon=1, draw="chapter", seed=3)
    ten = data.shape_dataset(chapter, 10, "vector")  # the chapter draws 10-step series anew
    expected = data.synthetic_dataset(
        300, 20, (200, 50, 50), horizon=10, layout="vector", draw="chapter", seed=3
    )
    np.testing.assert_array_equal(ten.y_valid, expected.y_valid)
    back = data.shape_dataset(expected, 1, "one_step")  # drawn anew, not cut from the 10-step series
    np.testing.assert_array_equal(back.X_valid, chapter.X_valid)
    default = data.synthetic_dataset(300, 20, (200, 50, 50), horizon=1, seed=3)
    np.testing.assert_array_equal(data.shape_dataset(default, 5, "vector").X_train, default.X_train)
    sun = data.real_dataset("sunspots", n_steps=20)
    np.testing.assert_array_equal(
        data.shape_dataset(sun, 3, "vector").y_valid,
        data.real_dataset("sunspots", n_steps=20, horizon=3, layout="vector").y_valid,
    )
    bare = data.Dataset(
        *default.splits()[0][1:],
        *default.splits()[1][1:],
        *default.splits()[2][1:],
        n_steps=20,
        horizon=1,
        layout="one_step",
    )
    with pytest.raises(ValueError, match="cannot be cut for horizon 3"):
        data.shape_dataset(bare, 3, "vector")
    assert data.shape_dataset(sun, 1, "one_step") is sun  # already shaped: returned as it is
    with pytest.raises(ValueError, match="A data set keeps its own data"):
        data.shape_dataset(sun, 3, "vector", seed=1)


def test_shape_dataset_draws_a_profiles_series_and_the_old_names_still_work():
    from rnnbook.profiles import Profile

    tiny = Profile("tiny", n_series=60, n_steps=20, split=(40, 10, 10), epochs=1, batch_size=8, patience=None)
    ds = data.shape_dataset(tiny, horizon=3, layout="vector", seed=5)
    expected = data.synthetic_dataset(60, 20, (40, 10, 10), horizon=3, layout="vector", seed=5)
    np.testing.assert_array_equal(ds.y_train, expected.y_train)
    with pytest.warns(DeprecationWarning, match="use `rnnbook.data.shape_dataset`"):
        old = data.profile_dataset(tiny, horizon=3, layout="vector", seed=5)
    np.testing.assert_array_equal(old.y_train, ds.y_train)
    with pytest.warns(DeprecationWarning, match="Dataset.retarget"):
        np.testing.assert_array_equal(ds.retarget(1, "one_step").y_valid, data.shape_dataset(ds).y_valid)


def test_logistic_series_follow_the_map_up_to_their_noise():
    s = data.logistic_series(50, 40, seed=1)[..., 0] + 0.5  # z(t) + noise in [-0.01, 0.01]
    np.testing.assert_array_equal(s, data.logistic_series(50, 40, seed=1)[..., 0] + 0.5)
    # z(t+1) = r z(t) (1 - z(t)): the ratio is r, constant along a series, up to the noise.
    rates = s[:, 1:] / (s[:, :-1] * (1 - s[:, :-1]))
    median = np.median(rates, axis=1)
    assert ((median > 3.5) & (median < 4.1)).all() and np.ptp(median) > 0.2  # one rate per series
    ds = data.logistic_dataset(100, 20, (60, 20, 20), seed=1)
    assert ds.name == "logistic" and ds.X_valid.shape == (20, 20, 1) and ds.y_valid.shape == (20, 1)


def test_adding_problem_targets_are_the_sums_of_the_marked_values():
    X, Y = data.adding_problem(200, 30, seed=5)
    values, markers = X[..., 0], X[..., 1]
    assert set(np.unique(markers)) == {0.0, 1.0} and (markers.sum(axis=1) == 2).all()
    assert (markers[:, :15].sum(axis=1) == 1).all() and (markers[:, 15:].sum(axis=1) == 1).all()
    np.testing.assert_allclose(Y[:, -1, 0], (values * markers).sum(axis=1), rtol=1e-6)
    np.testing.assert_allclose(Y[..., 0], np.cumsum(values * markers, axis=1), rtol=1e-6)
    ds = data.adding_dataset(100, 30, (60, 20, 20), seed=5)
    assert (ds.X_train.shape, ds.y_test.shape, ds.layout, ds.horizon) == (
        (60, 30, 2),
        (20, 30, 1),
        "seq2seq",
        1,
    )
    with pytest.raises(ValueError, match="at least 2 steps"):
        data.adding_problem(4, 1)
    X_legacy, _ = data.adding_problem(20, 10, seed=np.random.RandomState(0))  # either kind of generator
    assert (X_legacy[..., 1].sum(axis=1) == 2).all()


def test_long_period_series_repeat_their_own_pattern_every_period():
    clean = data.long_period_series(300, 90, period=30, noise=0.0, seed=3)[..., 0]
    np.testing.assert_array_equal(clean[:, 30:], clean[:, :-30])
    # one pattern and one phase per series, drawn from a standard normal
    assert len({tuple(row[:30].round(6)) for row in clean}) == 300
    assert abs(clean.mean()) < 0.05 and abs(clean.std() - 1) < 0.05
    noisy = data.long_period_series(300, 90, period=30, noise=0.1, seed=3)[..., 0]
    # the noise has the standard deviation asked for, on top of the same patterns
    assert abs(np.std(noisy - clean) - 0.1) < 0.005
    with pytest.raises(ValueError, match="noise.*>= 0"):
        data.long_period_series(2, 10, period=5, noise=-1.0)
    with pytest.raises(ValueError, match="period"):
        data.long_period_series(2, 10, period=0)


def test_long_period_dataset_forecasts_the_value_one_period_back():
    ds = data.long_period_dataset(40, 100, period=25, split=(20, 10, 10), noise=0.0, seed=1)
    assert (ds.X_train.shape, ds.y_valid.shape, ds.layout, ds.horizon, ds.name) == (
        (20, 100, 1),
        (10, 100, 1),
        "seq2seq",
        1,
        "long_period",
    )
    # targets are the inputs one step ahead, and the last one is the value `period` steps before it
    np.testing.assert_array_equal(ds.y_train[:, :-1], ds.X_train[:, 1:])
    np.testing.assert_array_equal(ds.y_valid[:, -1, 0], ds.X_valid[:, -25, 0])
