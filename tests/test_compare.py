"""rnnbook.compare and rnnbook.published: seeds, spread, claims, and the chapter's published scores."""

import json
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from model_support import TINY

from rnnbook import compare
from rnnbook.published import PUBLISHED, published_mse


def test_a_claim_that_holds_is_printed_and_one_that_fails_raises(capsys):
    compare.check_claim("a beats b", True, "0.1 < 0.2")
    assert capsys.readouterr().out == "✓ checked: a beats b (0.1 < 0.2)\n"
    compare.check_claim("a beats b", True)
    assert capsys.readouterr().out == "✓ checked: a beats b\n"  # no empty "()"
    with pytest.raises(compare.ClaimError, match=r"The claim 'b beats a' does not hold \(0.2 > 0.1\)"):
        compare.check_claim("b beats a", False, "0.2 > 0.1")
    assert issubclass(compare.ClaimError, AssertionError)  # nbval and pytest report it as a failure


def test_in_a_notebook_a_claim_is_one_badge_with_a_plain_text_fallback(monkeypatch, capsys):
    # A running kernel: check_claim displays the marker (the page renders its HTML) instead of printing.
    shown = []
    monkeypatch.setitem(sys.modules, "IPython", SimpleNamespace(get_ipython=lambda: object()))
    monkeypatch.setitem(sys.modules, "IPython.display", SimpleNamespace(display=shown.append))
    compare.check_claim("a <b> beats c & d", True, "0.1 < 0.2")
    assert capsys.readouterr().out == ""
    (marker,) = shown
    assert repr(marker) == "✓ checked: a <b> beats c & d (0.1 < 0.2)"  # the one-line text form
    page = marker._repr_html_()
    assert page.startswith('<p class="rnnbook-claim"><span class="rnnbook-claim-mark">✓ checked</span>')
    # the claim's own text is escaped, not read as markup
    assert "a &lt;b&gt; beats c &amp; d" in page and "(0.1 &lt; 0.2)" in page and "<b>" not in page
    assert "rnnbook-claim-evidence" not in compare.ClaimMarker("x")._repr_html_()


def test_the_book_styles_the_claim_badge():
    css = (Path(__file__).resolve().parents[1] / "book/_static/rnnbook-claims.css").read_text()
    assert ".rnnbook-claim " in css and ".rnnbook-claim-mark" in css
    config = (Path(__file__).resolve().parents[1] / "_config.yml").read_text()
    assert "rnnbook-claims.css" in config


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


def test_overlapping_ranges_are_indistinguishable():
    v = compare.verdict([0.0030, 0.0035, 0.0031], [0.0029, 0.0033, 0.0036], names=("linear", "deep_rnn"))
    assert v.winner is None
    assert v.reason == "ranges overlap: linear 0.003–0.0035, deep_rnn 0.0029–0.0036"
    assert v.sentence == f"linear and deep_rnn are indistinguishable over 3 seeds ({v.reason})"
    # A tie of A's worst and B's best is an overlap too, and means alone do not decide.
    assert compare.verdict([1.0, 1.0, 2.0], [2.0, 3.0, 3.0]).winner is None


def test_separated_ranges_name_the_winner_either_way_round():
    gru, rnn = [0.0031, 0.0029, 0.0030], [0.0052, 0.0060, 0.0055, 0.0070]
    first = compare.verdict(gru, rnn, names=("seq2seq_gru", "seq2seq_rnn"))
    assert first.winner == "a" and first.reason == "worst 0.0031 < best 0.0052 over 3 and 4 seeds"
    assert first.sentence == "seq2seq_gru beats seq2seq_rnn (worst 0.0031 < best 0.0052 over 3 and 4 seeds)"
    second = compare.verdict(rnn, gru, names=("seq2seq_rnn", "seq2seq_gru"))
    assert second.winner == "b" and second.sentence == first.sentence
    # Higher is better (an accuracy): the worst seed is the lowest.
    accuracy = compare.verdict([0.91, 0.95, 0.93], [0.80, 0.90, 0.85], lower_is_better=False, names="AB")
    assert accuracy.winner == "a" and accuracy.reason == "worst 0.91 > best 0.9 over 3 seeds"
    assert compare.verdict([0.80, 0.90, 0.85], [0.91, 0.95, 0.93], lower_is_better=False).winner == "b"
    # Close numbers are shown with the digits that tell them apart.
    close = compare.sentence("a", [1.00001, 1.0, 1.0], "b", [1.00002, 1.1, 1.2])
    assert close == "a beats b (worst 1.00001 < best 1.00002 over 3 seeds)"


def test_fewer_than_three_seeds_is_an_error_naming_the_counts():
    with pytest.raises(ValueError, match=r"2 scores for `gru` and 3 for `rnn`; expected at least 3 seeds"):
        compare.verdict([0.1, 0.2], [0.3, 0.4, 0.5], names=("gru", "rnn"))
    with pytest.raises(ValueError, match=r"3 scores for `a` and 1 for `b`"):
        compare.sentence("a", [0.1, 0.2, 0.3], "b", [9.0])
    assert compare.can_compare([1, 2, 3]) and not compare.can_compare([1, 2])


def test_a_nan_score_is_an_error_naming_the_model_and_seed():
    with pytest.raises(ValueError, match=r"a NaN score for `deep_rnn` \(seed 2 of 3\)"):
        compare.verdict([0.1, 0.2, 0.3], [0.3, float("nan"), 0.5], names=("linear", "deep_rnn"))
    assert not compare.can_compare([0.1, float("nan"), 0.3])


def test_a_training_fails_when_its_loss_overflows_or_ends_above_where_it_began():
    assert not compare.training_failed({"loss": [0.5, 0.7, 0.2]})  # a spike it recovers from
    assert compare.training_failed({"loss": [0.5, 0.2, float("inf")]})
    assert compare.training_failed({"loss": [0.5, float("nan"), 0.1]})
    assert compare.training_failed({"loss": [0.2, 0.1, 0.21]})
    assert not compare.training_failed({"loss": [0.2, 9.0], "val_loss": [0.2, 0.1]}, key="val_loss")
    with pytest.raises(ValueError, match="no 'loss' value"):
        compare.training_failed({"loss": []})


def test_check_verdict_passes_the_stated_winner_and_raises_on_another(capsys):
    scores = {
        "gru": [0.0031, 0.0029, 0.0030],
        "rnn": [0.0052, 0.0060, 0.0055],
        "lstm": [0.003, 0.0056, 0.004],
    }
    assert compare.check_verdict(scores, "gru", "rnn", "gru").winner == "a"
    assert compare.check_verdict(scores, "rnn", "gru", "gru").winner == "b"
    assert compare.check_verdict(scores, "lstm", "rnn", None).winner is None
    assert capsys.readouterr().out.count("✓ checked") == 3
    with pytest.raises(compare.ClaimError, match="gru beats rnn"):
        compare.check_verdict(scores, "gru", "rnn", None)
    with pytest.raises(compare.ClaimError, match="indistinguishable"):
        compare.check_verdict(scores, "lstm", "rnn", "lstm")
    with pytest.raises(ValueError, match="Received winner='wavenet'; expected 'gru', 'rnn' or None"):
        compare.check_verdict(scores, "gru", "rnn", "wavenet")


def test_check_not_beaten_holds_for_a_win_or_a_tie_and_raises_when_b_wins(capsys):
    scores = {
        "gru": [0.0031, 0.0029, 0.0030],
        "rnn": [0.0052, 0.0060, 0.0055],
        "lstm": [0.003, 0.0056, 0.004],
    }
    assert compare.check_not_beaten(scores, "gru", "rnn").winner == "a"
    assert compare.check_not_beaten(scores, "lstm", "rnn").winner is None
    out = capsys.readouterr().out
    assert "✓ checked: rnn does not beat gru (worst 0.0031 < best 0.0052 over 3 seeds)" in out
    assert "✓ checked: rnn does not beat lstm (ranges overlap: lstm 0.003–0.0056, rnn 0.0052–0.006)" in out
    with pytest.raises(compare.ClaimError, match="gru does not beat rnn"):
        compare.check_not_beaten(scores, "rnn", "gru")


def test_a_model_with_one_score_for_every_seed_is_named_in_the_sentence():
    # A deterministic baseline's one score stands for every seed: the sentence must not pass it off
    # as a spread over seeds.
    found = compare.verdict([1.0, 1.0, 1.0], [2.0, 2.1, 2.2], names=("theta", "rnn"))
    assert found.winner == "a"
    assert (
        found.sentence
        == "theta beats rnn (worst 1 < best 2 over 3 seeds; theta scores the same on every seed)"
    )
    both = compare.verdict([1.0] * 3, [2.0] * 3, names=("theta", "naive")).sentence
    assert both.endswith("over 3 seeds; theta and naive score the same on every seed)")
    tied = compare.verdict([1.0] * 3, [0.9, 1.0, 1.1], names=("theta", "rnn")).sentence
    assert tied.startswith("theta and rnn are indistinguishable over 3 seeds; theta scores the same")
    # seeded models read as before
    assert compare.verdict([1.0, 1.1, 1.2], [2.0, 2.1, 2.2]).sentence.endswith("over 3 seeds)")
