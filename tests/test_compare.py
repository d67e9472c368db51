"""rnnbook.compare and rnnbook.published: seeds, spread, claims, and the chapter's published scores."""

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from model_support import TINY

from rnnbook import compare
from rnnbook.published import PUBLISHED, published_mse


def test_a_claim_that_holds_is_printed_and_one_that_fails_raises(capsys):
    compare.check_claim("a beats b", True, "0.1 < 0.2")
    assert capsys.readouterr().out == "claim holds: a beats b (0.1 < 0.2)\n"
    with pytest.raises(compare.ClaimError, match=r"The claim 'b beats a' does not hold \(0.2 > 0.1\)"):
        compare.check_claim("b beats a", False, "0.2 > 0.1")
    assert issubclass(compare.ClaimError, AssertionError)  # nbval and pytest report it as a failure


def test_seed_table_summarises_each_models_runs_beside_the_published_score():
    runs = {
        "deep_rnn": [SimpleNamespace(val_mse=v) for v in (0.002, 0.003, 0.007)],
        "mine": [SimpleNamespace(val_mse=0.5)],
    }
    table = compare.seed_table(runs)
    values = np.array([0.002, 0.003, 0.007])
    row = table.loc["deep_rnn"]
    assert row["mean"] == pytest.approx(values.mean()) and row["std"] == pytest.approx(values.std(ddof=1))
    assert (row["min"], row["max"], row["seeds"]) == (0.002, 0.007, 3)
    assert row["published"] == pytest.approx(0.002910564)
    assert table.loc["mine", "std"] == 0.0 and np.isnan(table.loc["mine", "published"])


def test_train_seeds_repeats_the_experiment_once_per_seed():
    runs = compare.train_seeds(["linear"], seeds=(1, 2), profile=TINY)
    first, second = runs["linear"]
    assert first.val_mse != second.val_mse  # other data, other weights
    assert not np.array_equal(first.dataset.X_valid, second.dataset.X_valid)
    again = compare.train_seeds(["linear"], seeds=(1,), profile=TINY)["linear"][0]
    assert again.val_mse == first.val_mse  # a seed gives the same numbers


def test_the_published_scores_are_the_chapters_stored_outputs():
    # A copy of the chapter's stored outputs, kept with the tests (its "source" field cites the notebook).
    reference = json.loads((Path(__file__).parent / "data" / "geron_ch15_ml2.json").read_text())
    stored = {r["model"]: r.get("val_mse", r.get("val_last_time_step_mse")) for r in reference["results"]}
    assert {row.row: row.val_mse for row in PUBLISHED.values()} == stored
    from rnnbook.registry import get_spec

    for name in PUBLISHED:  # every key is a registry model
        assert get_spec(name).name == name
    assert published_mse("seq2seq_gru") == 0.01026281 and published_mse("wavenet") is None
