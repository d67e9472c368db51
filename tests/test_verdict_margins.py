"""tools/verdict_margins.py and the verdict log it reads (rnnbook.compare's RNNBOOK_VERDICT_LOG)."""

import doctest
import json

import pytest

from rnnbook import compare
from tools import verdict_margins

SCORES = {"gru": [0.0031, 0.0029, 0.0030], "rnn": [0.0052, 0.0060, 0.0055], "near": [0.00505, 0.0051, 0.0053]}


def test_the_tools_example_holds():
    result = doctest.testmod(verdict_margins, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_every_verdict_and_check_is_logged_with_its_margin(tmp_path, monkeypatch, capsys):
    log = tmp_path / "verdicts.jsonl"
    monkeypatch.setenv(compare.LOG_VARIABLE, str(log))
    compare.check_verdict(SCORES, "gru", "rnn", "gru")
    compare.check_not_beaten(SCORES, "near", "rnn")
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert [r["kind"] for r in records] == ["verdict", "check_verdict", "verdict", "check_not_beaten"]
    assert records[1]["names"] == ["gru", "rnn"] and records[1]["a"] == SCORES["gru"]
    # gru's worst 0.0031 against rnn's best 0.0052, relative to the larger best seed (0.0052)
    assert records[1]["margin"] == pytest.approx((0.0052 - 0.0031) / 0.0052)
    # near and rnn overlap: near's worst is 0.0001 from beating rnn, rnn's worst 0.00095 from beating near
    assert records[3]["winner"] is None
    assert records[3]["margin"] == pytest.approx((0.0053 - 0.0052) / 0.0052)
    assert records[3]["b_short_of_winning"] == pytest.approx((0.0060 - 0.00505) / 0.0052)


def test_nothing_is_logged_without_the_variable(tmp_path, monkeypatch):
    monkeypatch.delenv(compare.LOG_VARIABLE, raising=False)
    monkeypatch.chdir(tmp_path)
    compare.verdict(SCORES["gru"], SCORES["rnn"])
    assert list(tmp_path.iterdir()) == []


def test_a_higher_is_better_margin_is_the_gap_relative_to_the_larger_best_seed():
    found = compare.verdict([0.9, 0.95, 0.92], [0.8, 0.85, 0.82], lower_is_better=False)
    assert found.winner == "a" and found.margin == pytest.approx((0.9 - 0.85) / 0.95)


def test_the_tool_fails_on_a_close_check_verdict_only(tmp_path, monkeypatch, capsys):
    log = tmp_path / "verdicts.jsonl"
    monkeypatch.setenv(compare.LOG_VARIABLE, str(log))
    compare.check_not_beaten(SCORES, "near", "rnn")  # 2% from a verdict, but rnn is far from beating it
    assert verdict_margins.main([str(log)]) == 0
    compare.check_verdict(SCORES, "near", "rnn", None)  # the same 2%, stated as a tie: too close
    assert verdict_margins.main([str(log)]) == 1
    out = capsys.readouterr().out
    assert "near and rnn are indistinguishable  <- too close for check_verdict" in out
    assert "1 checked verdict(s) within 5% of changing" in out


def test_the_tool_names_a_missing_log(tmp_path, capsys):
    assert verdict_margins.main([str(tmp_path / "none.jsonl")]) == 2
    assert "does not exist; expected the file RNNBOOK_VERDICT_LOG named" in capsys.readouterr().out


def test_the_same_names_on_other_scores_are_each_listed(tmp_path, monkeypatch, capsys):
    log = tmp_path / "verdicts.jsonl"
    monkeypatch.setenv(compare.LOG_VARIABLE, str(log))
    far = {"a": [1.0, 1.1, 1.2], "b": [2.0, 2.1, 2.2]}
    close = {"a": [1.0, 1.1, 1.95], "b": [2.0, 2.1, 2.2]}  # a wins by 2.5%: another step ahead, say
    compare.check_verdict(far, "a", "b", "a")
    compare.check_verdict(close, "a", "b", "a")
    assert verdict_margins.main([str(log)]) == 1
    assert "a beats b  <- too close for check_verdict" in capsys.readouterr().out
