import pytest

from rnnbook.profiles import get_profile


def test_profiles_and_environment(monkeypatch):
    monkeypatch.delenv("RNNBOOK_PROFILE", raising=False)
    assert get_profile().name == "quick"
    full = get_profile("full")
    assert (full.n_series, full.n_steps, full.split) == (10000, 50, (7000, 2000, 1000))
    assert full.epochs >= 20 or full.patience
    for p in (get_profile("quick"), full):
        assert sum(p.split) == p.n_series
    monkeypatch.setenv("RNNBOOK_PROFILE", "full")
    assert get_profile().name == "full"
    monkeypatch.setenv("RNNBOOK_PROFILE", "huge")
    with pytest.raises(ValueError, match="Unknown profile 'huge'.*quick, full"):
        get_profile()
