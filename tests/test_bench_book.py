"""bench/bench_book.py's account of what each chapter trained, read back from the trained-model cache."""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _bench_book():
    spec = importlib.util.spec_from_file_location("bench_book", ROOT / "bench" / "bench_book.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _entry(models: Path, key: str, written: float, fit_seconds: float, epoch_seconds: list) -> None:
    (models / key).mkdir(parents=True)
    record = models / key / "result.json"
    record.write_text(json.dumps({"fit_seconds": fit_seconds, "epoch_seconds": epoch_seconds}))
    os.utime(record, (written, written))


def test_each_cache_entry_counts_for_the_chapter_running_when_it_was_written(tmp_path):
    models = tmp_path / "models"
    _entry(models, "a", 1005.0, 10.0, [4.0, 1.0, 1.5, 1.0])  # first epoch 3 s over the median
    _entry(models, "b", 1009.0, 6.0, [1.0, 2.0, 2.0])  # a first epoch quicker than the rest: 0
    _entry(models, "c", 1031.0, 3.0, [3.0])  # one epoch: no later one to compare with
    _entry(models, "f", 1025.0, 8.0, [5.0, 1.0, 2.0])  # the median of two later epochs: 1.5
    _entry(models, ".f-1.tmp", 1006.0, 50.0, [40.0, 1.0])  # being written (or left so): not an entry
    _entry(models, "d", 2000.0, 99.0, [50.0, 1.0])  # after the last chapter: nobody's
    (models / "e").mkdir()
    (models / "e" / "result.json").write_text("{half")  # a damaged entry is skipped
    rows = [
        {"chapter": "01.ipynb", "started": 1000.0, "seconds": 20.0},
        {"chapter": "02.ipynb", "started": 1020.0, "seconds": 15.0},
        {"chapter": "03.ipynb", "started": 1035.0, "seconds": 5.0},
    ]
    found = _bench_book().trained_per_chapter(models, rows)
    assert found == [
        {"runs_trained": 2, "fit_seconds_summed": 16.0, "first_epoch_excess_seconds_summed": 3.0},
        {"runs_trained": 2, "fit_seconds_summed": 11.0, "first_epoch_excess_seconds_summed": 3.5},
        {"runs_trained": 0, "fit_seconds_summed": 0.0, "first_epoch_excess_seconds_summed": 0.0},
    ]
