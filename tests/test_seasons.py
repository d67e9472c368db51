"""The seasonal period inferred from a series' dates (rnnbook.seasons)."""

import pandas as pd
import pytest

from rnnbook.seasons import infer_season


@pytest.mark.parametrize(
    "freq,period,frequency",
    [
        ("h", 24, "hourly"),
        ("D", 7, "daily"),
        ("B", 5, "business-daily"),
        ("W-SUN", 52, "weekly"),
        ("MS", 12, "monthly"),
        ("ME", 12, "monthly"),
        ("QS", 4, "quarterly"),
    ],
)
def test_usual_steps_have_their_calendar_season(freq, period, frequency):
    season = infer_season(pd.date_range("2020-01-01", periods=40, freq=freq))
    assert (season.period, season.frequency, season.note) == (period, frequency, "")


def test_an_unusual_step_has_season_1_and_says_why():
    season = infer_season(pd.date_range("2020-01-01", periods=40, freq="5min"))
    assert season.period == 1 and season.frequency == "0 days 00:05:00"
    assert "no usual season for a step of 0 days 00:05:00" in season.note
    assert infer_season(pd.date_range("2020-01-01", periods=40, freq="2D")).period == 1


def test_month_starts_without_a_pandas_frequency_are_monthly():
    # Two dates only: pandas infers no frequency, the usual step (31 days) still says monthly.
    assert infer_season(pd.DatetimeIndex(["2020-01-01", "2020-02-01"])).period == 12


def test_fewer_than_two_dates_is_an_error():
    with pytest.raises(ValueError, match="Received 1 date"):
        infer_season(pd.DatetimeIndex(["2020-01-01"]))


def test_frame_dataset_infers_the_season_unless_given():
    from rnnbook.frames import frame_dataset

    hours = pd.date_range("2024-01-01", periods=400, freq="h")
    series = pd.Series(range(400), hours, name="x", dtype=float)
    assert frame_dataset(series, n_steps=24).units.season == 24
    assert frame_dataset(series, n_steps=24, season=12).units.season == 12


def test_the_command_line_says_which_season_it_inferred():
    from rnnbook.cli import _season_line
    from rnnbook.frames import frame_dataset

    days = pd.Series(range(200), pd.date_range("2024-01-01", periods=200, freq="D"), name="x", dtype=float)
    assert _season_line(frame_dataset(days, n_steps=14)) == (
        "season 7 (inferred from the daily dates; --season sets another)"
    )
    odd = pd.Series(range(200), pd.date_range("2024-01-01", periods=200, freq="2D"), name="x", dtype=float)
    assert _season_line(frame_dataset(odd, n_steps=14)) == (
        "season 1: no usual season for a step of 2 days 00:00:00: season 1 (pass --season to set one)"
    )
