"""The book's verdicts closest to changing: which checked claims another machine could flip.

The same seeds give the same numbers on one machine, but another CPU's floating-point arithmetic
trains slightly different weights, and a verdict of the one rule (``rnnbook.compare.verdict``) whose
seeds come within a few percent of each other can change with it. Build or test the book with
``RNNBOOK_VERDICT_LOG`` set, and every verdict -- and every ``check_verdict`` and ``check_not_beaten``
a chapter makes of one -- appends a JSON line to that file; this tool reads it and lists the closest:

.. code-block:: bash

    RNNBOOK_VERDICT_LOG=/tmp/verdicts.jsonl .venv/bin/python -m pytest --nbval-lax \\
        --nbval-sanitize-with tests/nbval_sanitize.cfg book
    python tools/verdict_margins.py /tmp/verdicts.jsonl

The margin is how far the check is from failing, relative to the larger best seed: for a
``check_verdict`` (a sentence that states the verdict) the verdict's own margin, for a
``check_not_beaten`` how far B is from beating A. The tool exits with status 1 when a
``check_verdict`` is within ``rnnbook.compare.CLOSE`` of failing: reword that sentence to what
``check_not_beaten`` checks. A plain ``verdict`` under it is marked but does not fail the tool: a
chapter may only show it (a table's mark), or check it with ``check_claim`` -- then move that check to
``check_verdict``. Give the log as an absolute path (each chapter's kernel starts in ``book/``), and a
new file for each build: the log only grows.

Example:

>>> records = [
...     {"kind": "check_verdict", "names": ["gru", "rnn"], "a": [1], "b": [2], "winner": "a",
...      "margin": 0.02, "b_short_of_winning": 0.4},
...     {"kind": "check_not_beaten", "names": ["lstm", "rnn"], "a": [1], "b": [2], "winner": None,
...      "margin": 0.01, "b_short_of_winning": 0.12},
...     {"kind": "verdict", "names": ["gru", "rnn"], "a": [1], "b": [2], "winner": "a",
...      "margin": 0.02, "b_short_of_winning": 0.4},
...     {"kind": "verdict", "names": ["lstm", "gru"], "a": [1], "b": [2], "winner": None,
...      "margin": 0.03, "b_short_of_winning": 0.03}]
>>> print(format_rows(closest(records)))
 margin  check             verdict
  2.0%   check_verdict     gru beats rnn  <- too close for check_verdict
  3.0%   verdict           lstm and gru are indistinguishable  <- close: checked?
 12.0%   check_not_beaten  lstm and rnn are indistinguishable
>>> [row["names"] for row in too_close(records)]
[['gru', 'rnn']]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rnnbook.compare import CLOSE

CHECKS = ("check_verdict", "check_not_beaten")


def read_log(path: Path) -> list[dict]:
    """The log's records, one per line."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def closest(records: list[dict], most: int = 20) -> list[dict]:
    """Each pair's verdict once, closest to failing first: a ``check_verdict`` fails if the verdict
    changes at all (its ``margin``), a ``check_not_beaten`` only if B comes to beat A
    (``b_short_of_winning``). A pair no check names is listed by its margin as a plain ``verdict``:
    a chapter may check it another way (``check_claim`` on ``found.winner``), or only show it."""
    checked = {frozenset(r["names"]) for r in records if r["kind"] in CHECKS}
    seen, rows = set(), []
    for record in records:
        # the same names may be compared on other scores (each step ahead, another chapter): keep each
        key = (record["kind"], tuple(record["names"]), tuple(record["a"]), tuple(record["b"]))
        plain = record["kind"] not in CHECKS
        if key in seen or (plain and frozenset(record["names"]) in checked):
            continue
        seen.add(key)
        at_stake = record["b_short_of_winning"] if record["kind"] == "check_not_beaten" else record["margin"]
        rows.append({**record, "at_stake": at_stake})
    return sorted(rows, key=lambda row: row["at_stake"])[:most]


def too_close(records: list[dict]) -> list[dict]:
    """The ``check_verdict`` records whose margin is under ``rnnbook.compare.CLOSE``."""
    rows = closest(records, len(records))
    return [row for row in rows if row["kind"] == "check_verdict" and row["at_stake"] < CLOSE]


def _said(row: dict) -> str:
    a, b = row["names"]
    return {"a": f"{a} beats {b}", "b": f"{b} beats {a}"}.get(
        row["winner"], f"{a} and {b} are indistinguishable"
    )


def format_rows(rows: list[dict]) -> str:
    lines = [f"{'margin':>7}  {'check':<16}  verdict"]
    for row in rows:
        flag = ""
        if row["at_stake"] < CLOSE and row["kind"] != "check_not_beaten":
            flag = (
                "  <- too close for check_verdict"
                if row["kind"] == "check_verdict"
                else "  <- close: checked?"
            )
        lines.append(f"{row['at_stake']:>6.1%}   {row['kind']:<16}  {_said(row)}{flag}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("log", type=Path, help="the file RNNBOOK_VERDICT_LOG named")
    parser.add_argument("--most", type=int, default=20, help="rows to list (default: 20)")
    args = parser.parse_args(argv)
    if not args.log.is_file():
        print(f"verdict_margins: {args.log} does not exist; expected the file RNNBOOK_VERDICT_LOG named.")
        return 2
    records = read_log(args.log)
    print(format_rows(closest(records, args.most)))
    flagged = too_close(records)
    if flagged:
        print(
            f"{len(flagged)} checked verdict(s) within {CLOSE:.0%} of changing: "
            "say only what check_not_beaten checks."
        )
    return 1 if flagged else 0


if __name__ == "__main__":
    sys.exit(main())
