"""`import rnnbook` must stay cheap: no Keras and no backend until a model is needed."""

import subprocess
import sys


def test_import_does_not_load_a_backend():
    code = ("import sys, rnnbook, rnnbook.data, rnnbook.registry, rnnbook.profiles; "
            "print(sorted(m for m in ('keras', 'jax', 'tensorflow', 'torch') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
