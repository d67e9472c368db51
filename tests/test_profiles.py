import pytest

from rnnbook.profiles import get_profile


def test_profiles_and_environment(monkeypatch):
    monkeypatch.delenv("RNNBOOK_PROFILE", raising=False)
    assert get_profile().name == "full"  # the book's profile unless one is named
    full = get_profile("full")
    assert (full.n_series, full.n_steps, full.split, full.draw) == (10000, 50, (7000, 2000, 1000), "chapter")
    for p in (get_profile("quick"), full):
        assert sum(p.split) == p.n_series
    monkeypatch.setenv("RNNBOOK_PROFILE", "quick")
    assert get_profile().name == "quick"
    monkeypatch.setenv("RNNBOOK_PROFILE", "huge")
    with pytest.raises(ValueError, match="Unknown profile 'huge'.*full, quick"):
        get_profile()


def test_the_book_profile_trains_every_builtin_model_alike():
    from rnnbook import list_models
    from rnnbook.profiles import recipe_for

    recipes = {s.name: tuple(sorted(recipe_for("full", s.recipe).items())) for s in list_models()}
    assert len(recipes) >= 21 and len(set(recipes.values())) == 1, recipes  # plugins included
    assert dict(next(iter(recipes.values())))["learning_rate"] == 0.01
    # The quick profile keeps the models' own rates (the chapter's, for batches of 32).
    assert recipe_for("quick", {"learning_rate": 0.02})["learning_rate"] == 0.02
    assert recipe_for("quick")["learning_rate"] == 0.001
