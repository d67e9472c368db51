"""Fair comparisons: several seeds per model, a table of mean and spread, and claims checked on it.

A ranking that turns on a small gap means nothing from one run: another seed (another draw of the data,
another initialisation, another shuffling) may reverse it. :func:`train_seeds` repeats the whole
experiment for every model and seed with the same recipe, :func:`seed_table` summarises the runs beside
the chapter's published value, and :func:`check_claim` turns a sentence of the book into a check: it
shows a small "✓ checked" marker with the sentence and its evidence (:class:`ClaimMarker`: a badge on the
book's page, one line of text elsewhere) and raises :class:`ClaimError` when the numbers stop supporting
it, so the chapter fails under nbval instead of printing a false statement.

**The one rule for comparative claims** about trained models' scores (:func:`verdict`): each model is
trained with at least :data:`MIN_SEEDS` (3) seeds, and "A beats B" only when A's *worst* seed is better
than B's *best* seed -- the two ranges of scores do not overlap; otherwise A and B are
*indistinguishable*. :func:`sentence` writes the verdict as the book and the leaderboard print it, and
:func:`check_verdict` checks the verdict a sentence states. Where A's worst seed comes within a few
percent of B's best, the verdict can change with the machine's floating-point arithmetic (another CPU,
the same seeds): the book then says only "B does not beat A", checked by :func:`check_not_beaten`.

Used in: book/04_forecasting to book/07_convolutions_wavenet.

Example:

>>> check_claim("2 beats 3", 2 < 3, "2 < 3")
✓ checked: 2 beats 3 (2 < 3)
"""

from __future__ import annotations

import dataclasses
import html
import json
import math
import os
import sys

import numpy as np

from rnnbook.parallel import train_many
from rnnbook.published import published_mse

# Imported inside the functions that use them, so `import rnnbook` stays backend-free and fast: pandas.

SEEDS = (42, 43, 44)
#: The fewest seeds per model a comparative claim rests on (:func:`verdict`).
MIN_SEEDS = 3
#: The rule's name and statement, printed under every table that applies it.
RULE = (
    "the worst-vs-best rule (rnnbook.compare.verdict): A beats B only when A's worst seed is better "
    f"than B's best, over at least {MIN_SEEDS} seeds each; otherwise they are indistinguishable"
)


#: A verdict whose :attr:`Verdict.margin` is under this is too close to state on every machine.
CLOSE = 0.05
#: Where :func:`verdict` and the two checks of it append one JSON line each, if set (a path): the
#: record that ``tools/verdict_margins.py`` reads to list the book's verdicts closest to changing.
LOG_VARIABLE = "RNNBOOK_VERDICT_LOG"


class ClaimError(AssertionError):
    """A sentence of the book that its numbers no longer support."""


#: The marker's label, on the page and in the text line.
CHECKED = "✓ checked"


@dataclasses.dataclass(frozen=True)
class ClaimMarker:
    """What :func:`check_claim` shows for a claim that holds: the same small marker everywhere.

    In a notebook (the book's pages) it is a badge of CSS class ``rnnbook-claim`` (styled by
    book/_static/rnnbook-claims.css); as text -- a terminal, a doctest, the notebook's plain-text
    fallback -- it is one line.

    Example:

    >>> marker = ClaimMarker("a beats b", "0.1 < 0.2")
    >>> print(marker)
    ✓ checked: a beats b (0.1 < 0.2)
    >>> print(marker._repr_html_())  # doctest: +NORMALIZE_WHITESPACE
    <p class="rnnbook-claim"><span class="rnnbook-claim-mark">✓ checked</span>
    a beats b <span class="rnnbook-claim-evidence">(0.1 &lt; 0.2)</span></p>
    """

    claim: str
    evidence: str = ""

    def __str__(self) -> str:
        detail = f" ({self.evidence})" if self.evidence else ""
        return f"{CHECKED}: {self.claim}{detail}"

    # The plain-text form a notebook stores beside the HTML one.
    __repr__ = __str__

    def _repr_html_(self) -> str:
        evidence = (
            f' <span class="rnnbook-claim-evidence">({html.escape(self.evidence)})</span>'
            if self.evidence
            else ""
        )
        return (
            f'<p class="rnnbook-claim"><span class="rnnbook-claim-mark">{CHECKED}</span> '
            f"{html.escape(self.claim)}{evidence}</p>"
        )


def check_claim(claim: str, holds: bool, evidence: str = "") -> None:
    """Show ``claim`` with its ``evidence`` as a :class:`ClaimMarker`, or raise :class:`ClaimError` if
    it does not hold.

    In a running notebook the marker is displayed (HTML with a plain-text fallback); anywhere else it
    is printed as one line.
    """
    if not holds:
        detail = f" ({evidence})" if evidence else ""
        raise ClaimError(f"The claim {claim!r} does not hold{detail}.")
    marker = ClaimMarker(claim, evidence)
    # Only a running IPython shell (a notebook's kernel) renders HTML; importing IPython here would not
    # make a script one, and the package must not need IPython.
    ipython = sys.modules.get("IPython")
    if ipython is not None and ipython.get_ipython() is not None:
        from IPython.display import display

        display(marker)
    else:
        print(marker)


def train_seeds(names, seeds=SEEDS, *, workers: int | None = None, **train_kwargs) -> dict:
    """Train every model of ``names`` once per seed with :func:`rnnbook.training.train`.

    The runs are independent, so they train side by side in worker processes
    (:func:`rnnbook.parallel.train_many`, ``workers``: how many) with exactly the numbers of one run
    after the other. Returns ``{name: [TrainResult per seed]}``; every run comes from the trained-model
    cache when it is there, so a chapter that repeats another's runs costs nothing.
    """
    names, seeds = tuple(names), tuple(seeds)
    jobs = [(name, {**train_kwargs, "seed": seed}) for name in names for seed in seeds]
    results = iter(train_many(jobs, workers))
    return {name: [next(results) for _ in seeds] for name in names}


def train_models(names, *, workers: int | None = None, **train_kwargs) -> dict:
    """Train every model of ``names`` once (one seed), side by side as :func:`train_seeds` does.

    Returns ``{name: TrainResult}``: what ``{name: train(name, **train_kwargs) for name in names}``
    returns, sooner on a machine with several cores.

    Example:

    >>> runs = train_models(("naive_last_value",), profile="quick", cache=False)
    >>> list(runs), runs["naive_last_value"].params
    (['naive_last_value'], 0)
    """
    names = tuple(names)
    return dict(zip(names, train_many([(name, train_kwargs) for name in names], workers)))


def seed_table(runs: dict):
    """One row per model: the validation MSE's mean, standard deviation, min and max over the seeds,
    the published value (:mod:`rnnbook.published`) and the seeds.

    Example:

    >>> from types import SimpleNamespace as Run
    >>> t = seed_table({"linear": [Run(val_mse=0.002), Run(val_mse=0.004)]})
    >>> float(t.loc["linear", "mean"]), float(t.loc["linear", "published"])
    (0.003, 0.004168087)
    """
    import pandas as pd

    rows = []
    for name, results in runs.items():
        if not results:
            raise ValueError(f"No run of {name!r} to summarise: train_seeds needs at least one seed.")
        values = np.array([r.val_mse for r in results])
        rows.append(
            {
                "model": name,
                "mean": values.mean(),
                "std": values.std(ddof=1) if len(values) > 1 else 0.0,
                "min": values.min(),
                "max": values.max(),
                "published": published_mse(name),
                "seeds": len(values),
            }
        )
    return pd.DataFrame(rows).set_index("model")


@dataclasses.dataclass(frozen=True)
class Verdict:
    """What :func:`verdict` finds: ``winner`` (``"a"``, ``"b"``, or ``None`` when the two are
    indistinguishable), the one-line ``reason``, the whole ``sentence`` to print, and its ``margin``.

    ``short_of_winning`` holds, for A and for B, how much worse its worst seed is than the other's best,
    relative to the larger (in magnitude) of the two best seeds: negative for the winner. ``margin``
    says how far the verdict is from changing: for a win, the winner's gap; for a tie, the smaller of
    the two shifts that would make it a win. Under :data:`CLOSE` a verdict can change with another
    machine's floating-point arithmetic: the book then claims only :func:`check_not_beaten`.
    """

    winner: str | None
    reason: str
    sentence: str
    short_of_winning: tuple[float, float] = (math.inf, math.inf)

    @property
    def margin(self) -> float:
        a, b = self.short_of_winning
        return {"a": -a, "b": -b}.get(self.winner, min(a, b))


def can_compare(scores) -> bool:
    """Whether :func:`verdict` takes ``scores``: at least :data:`MIN_SEEDS` of them, none NaN."""
    scores = list(scores)
    return len(scores) >= MIN_SEEDS and not any(math.isnan(float(s)) for s in scores)


def verdict(a_scores, b_scores, lower_is_better: bool = True, *, names=("a", "b")) -> Verdict:
    """The one rule for a comparative claim about two models' scores over seeds.

    At least :data:`MIN_SEEDS` seeds each; "A beats B" only when A's worst seed is better than B's
    best seed (the ranges do not overlap; a tie is no win); otherwise the two are indistinguishable.

    Args:
        a_scores: model A's score for each seed (a metric such as the validation MSE).
        b_scores: model B's score for each seed; the seeds need not be the same ones, nor as many.
        lower_is_better: ``True`` (default) for an error such as the MSE, ``False`` for an accuracy.
        names: the two models' names, for the reason, the sentence and the errors.

    Returns:
        A :class:`Verdict`. Raises ``ValueError`` when a model has fewer than :data:`MIN_SEEDS`
        scores or a NaN score (naming the model).

    Used in: ``rnnbook leaderboard --backtest K --n-seeds N`` (the table's "≈" mark).

    Example:

    >>> verdict([0.0031, 0.0029, 0.0030], [0.0052, 0.0060, 0.0055], names=("gru", "rnn")).sentence
    'gru beats rnn (worst 0.0031 < best 0.0052 over 3 seeds)'
    >>> verdict([0.0030, 0.0035, 0.0031], [0.0031, 0.0033, 0.0036]).winner is None
    True
    """
    a_name, b_name = names
    a, b = _checked(a_scores, a_name), _checked(b_scores, b_name)
    if len(a) < MIN_SEEDS or len(b) < MIN_SEEDS:
        raise ValueError(
            f"Received {len(a)} scores for `{a_name}` and {len(b)} for `{b_name}`; expected at least "
            f"{MIN_SEEDS} seeds each to compare them."
        )
    worst, best = (max, min) if lower_is_better else (min, max)
    sign = "<" if lower_is_better else ">"
    scale = max(abs(best(a)), abs(best(b))) or 1.0
    short = (_behind(a, b, lower_is_better) / scale, _behind(b, a, lower_is_better) / scale)
    for winner, mine, theirs, me, them in (("a", a, b, a_name, b_name), ("b", b, a, b_name, a_name)):
        my_worst, their_best = worst(mine), best(theirs)
        if (my_worst < their_best) if lower_is_better else (my_worst > their_best):
            shown = _distinct(my_worst, their_best)
            reason = f"worst {shown[0]} {sign} best {shown[1]} over {_seeds(mine, theirs, (me, them))}"
            found = Verdict(winner, reason, f"{me} beats {them} ({reason})", short)
            break
    else:
        reason = f"ranges overlap: {a_name} {_range(a)}, {b_name} {_range(b)}"
        sentence = f"{a_name} and {b_name} are indistinguishable over {_seeds(a, b, names)} ({reason})"
        found = Verdict(None, reason, sentence, short)
    _log("verdict", found, names, a, b, lower_is_better)
    return found


def sentence(a_name: str, a_scores, b_name: str, b_scores, lower_is_better: bool = True) -> str:
    """The sentence the book and the leaderboard print for :func:`verdict` on two models' scores.

    Example:

    >>> print(sentence("linear", [0.30, 0.31, 0.31], "rnn", [0.25, 0.29, 0.33]))
    linear and rnn are indistinguishable over 3 seeds (ranges overlap: linear 0.3–0.31, rnn 0.25–0.33)
    """
    return verdict(a_scores, b_scores, lower_is_better, names=(a_name, b_name)).sentence


def check_verdict(scores, a: str, b: str, winner: str | None, lower_is_better: bool = True) -> Verdict:
    """Check a sentence that states the rule's verdict on models ``a`` and ``b``: ``winner`` is the
    model it says wins (``a`` or ``b``) or ``None`` for "indistinguishable". Shows the rule's sentence
    with :func:`check_claim`, which raises :class:`ClaimError` when the verdict differs.

    Args:
        scores: each model's scores over seeds, by name (``scores[a]``, ``scores[b]``).
        a, b: the two models' names.
        winner: ``a``, ``b`` or ``None``; any other value is a ``ValueError``.
        lower_is_better: as in :func:`verdict`.

    Used in: book/04_forecasting, book/05_unstable_gradients, book/07_convolutions_wavenet,
    book/08_leaderboard, book/09_real_series.

    Example:

    >>> scores = {"gru": [0.0031, 0.0029, 0.0030], "rnn": [0.0052, 0.0060, 0.0055]}
    >>> check_verdict(scores, "gru", "rnn", "gru").winner
    ✓ checked: gru beats rnn (worst 0.0031 < best 0.0052 over 3 seeds)
    'a'
    """
    expected = {a: "a", b: "b", None: None}
    if winner not in expected:
        raise ValueError(f"Received winner={winner!r}; expected {a!r}, {b!r} or None.")
    found = verdict(scores[a], scores[b], lower_is_better, names=(a, b))
    _log("check_verdict", found, (a, b), scores[a], scores[b], lower_is_better)
    check_claim(found.sentence, found.winner == expected[winner])
    return found


def check_not_beaten(scores, a: str, b: str, lower_is_better: bool = True) -> Verdict:
    """Check the sentence "``b`` does not beat ``a``" by the rule: ``a`` beats ``b`` or the two are
    indistinguishable.

    The book says this, and no more, where ``a``'s seeds come within a few percent of beating ``b``:
    there the rule's verdict can change with the machine's floating-point arithmetic (another CPU, the
    same seeds), while "``b`` does not beat ``a``" holds either way.

    Used in: book/04_forecasting, book/05_unstable_gradients, book/07_convolutions_wavenet,
    book/08_leaderboard, book/09_real_series.

    Example:

    >>> scores = {"wavenet": [0.00242, 0.00245, 0.00249], "lstm": [0.00245, 0.00255, 0.00269]}
    >>> check_not_beaten(scores, "wavenet", "lstm").winner is None
    ✓ checked: lstm does not beat wavenet (ranges overlap: wavenet 0.00242–0.00249, lstm 0.00245–0.00269)
    True
    """
    found = verdict(scores[a], scores[b], lower_is_better, names=(a, b))
    _log("check_not_beaten", found, (a, b), scores[a], scores[b], lower_is_better)
    check_claim(f"{b} does not beat {a} ({found.reason})", found.winner != "b")
    return found


def training_failed(history: dict, key: str = "loss") -> bool:
    """Whether a training failed: its loss (``history[key]``, one value per epoch) reached NaN or
    infinity, or ended above its first epoch's value. The book's rule for an unstable training
    (chapter 5's exploding runs): one place, so every variant of an experiment is judged alike.

    Example:

    >>> [training_failed({"loss": loss}) for loss in ([0.3, 0.2], [0.3, float("nan")], [0.1, 0.2])]
    [False, True, True]
    """
    loss = np.asarray(history[key], dtype=float)
    if loss.size == 0:
        raise ValueError(f"The history holds no {key!r} value; expected one per epoch.")
    return bool(not np.isfinite(loss).all() or loss[-1] > loss[0])


def _checked(scores, name: str) -> list:
    """``scores`` as floats; a NaN (a diverged run) is an error naming the model and the seed."""
    values = [float(s) for s in scores]
    for i, value in enumerate(values, 1):
        if math.isnan(value):
            raise ValueError(
                f"Received a NaN score for `{name}` (seed {i} of {len(values)}); expected a number for "
                "every seed (a diverged run must be fixed or reported, not compared)."
            )
    return values


def _behind(mine: list, theirs: list, lower_is_better: bool) -> float:
    """How much worse ``mine``'s worst seed is than ``theirs``'s best (negative: ``mine`` wins)."""
    return max(mine) - min(theirs) if lower_is_better else max(theirs) - min(mine)


def _log(kind: str, found: Verdict, names, a_scores, b_scores, lower_is_better: bool) -> None:
    """Append one JSON line about a verdict to the file :data:`LOG_VARIABLE` names, if it is set."""
    path = os.environ.get(LOG_VARIABLE)
    if not path:
        return
    record = {
        "kind": kind,
        "names": list(names),
        "a": [float(x) for x in a_scores],
        "b": [float(x) for x in b_scores],
        "lower_is_better": lower_is_better,
        "winner": found.winner,
        "margin": found.margin,
        # how far B is from beating A: what "B does not beat A" rests on
        "b_short_of_winning": found.short_of_winning[1],
    }
    with open(path, "a", encoding="utf-8") as f:  # one write of one line: lines do not interleave
        f.write(json.dumps(record) + "\n")


def _seeds(first: list, second: list, names: tuple) -> str:
    """``3 seeds``, or ``3 and 5 seeds`` (in the sentence's order) when the counts differ; a model with
    the same score on every seed (a deterministic baseline, whose one score stands for every seed) is
    named, so that no reader takes its one number for a spread over seeds."""
    counts = f"{len(first)} seeds" if len(first) == len(second) else f"{len(first)} and {len(second)} seeds"
    same = [name for name, values in zip(names, (first, second)) if len(values) > 1 and len(set(values)) == 1]
    if same:
        counts += f"; {' and '.join(same)} {'score' if len(same) > 1 else 'scores'} the same on every seed"
    return counts


def _range(values: list) -> str:
    return f"{min(values):.4g}–{max(values):.4g}"


def _distinct(x: float, y: float) -> tuple:
    """``x`` and ``y`` with 4 significant digits, or as many more as it takes to tell them apart."""
    for digits in range(4, 17):
        shown = (f"{x:.{digits}g}", f"{y:.{digits}g}")
        if shown[0] != shown[1]:
            return shown
    return shown
