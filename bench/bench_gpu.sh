#!/usr/bin/env bash
# The benchmark and the book on a GPU machine, in one call with a hard time limit.
#
#   bash bench/bench_gpu.sh OUT [SECONDS] [MACHINE]
#
# The project never needs a GPU; this is how its figures are measured on one (bench/README.md, "On a
# GPU"). OUT receives everything: run_bench.py's JSON, bench_book.py's JSON and the logs. SECONDS
# (default 520) is the whole run's budget. First the benchmark, alone on the machine so its times are
# clean: every row of the chapter's table with an empty compilation cache per row, one row at a time,
# stopped at 55% of the budget (finished rows are kept: run_bench.py caches each as it ends). Then the
# book's empty-caches pass with every chapter at once, each in its own kernel, until the budget ends:
# the question there is whether every chapter's checks hold on the GPU; a chapter still running at the
# end is recorded as unfinished. Python packages the machine lacks can wait as wheels in .whl/.
set -uo pipefail
out=${1:?usage: bash bench/bench_gpu.sh OUT [SECONDS] [MACHINE]}
budget=${2:-520}
machine=${3:-gpu}
mkdir -p "$out"
out=$(cd "$out" && pwd)
cd "$(dirname "$0")/.."
begin=$SECONDS
left() { echo $((budget - (SECONDS - begin))); }

if compgen -G ".whl/*.whl" >/dev/null; then
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
        --target /tmp/rnnbook-site .whl/*.whl || exit 1
    export PYTHONPATH=/tmp/rnnbook-site:$PWD
    export PATH=/tmp/rnnbook-site/bin:$PATH
fi
export PYTHONUNBUFFERED=1
# The book's kernels share the one GPU: JAX must not take 75% of its memory in each of them.
export XLA_PYTHON_CLIENT_PREALLOCATE=false
# One process per chapter already fills the machine: no training workers inside the chapters.
export RNNBOOK_WORKERS=1

{
    nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv
    python3 -c "import sys, rnnbook, jax, keras, numpy; print(sys.version.split()[0], 'jax', jax.__version__, \
'keras', keras.__version__, keras.backend.backend(), 'numpy', numpy.__version__, jax.devices())"
} >"$out/device.txt" 2>&1
cat "$out/device.txt"

# One quick training first: if Keras on this JAX cannot train, the rest runs on PyTorch's GPU build.
smoke="from rnnbook.training import train; r = train('simple_rnn', profile='quick', progress=False); \
print('smoke test:', r.val_mse)"
if ! timeout 120 python3 -c "$smoke" >>"$out/device.txt" 2>&1; then
    echo "JAX failed the smoke test (device.txt): the rest runs with KERAS_BACKEND=torch" | tee -a "$out/device.txt"
    export KERAS_BACKEND=torch
fi
tail -1 "$out/device.txt"

timeout $((budget * 55 / 100 - (SECONDS - begin))) python3 bench/run_bench.py --skip-reference \
    --machine "$machine" --output "$out/bench.json" 2>&1 | tee "$out/bench.log"
cp bench/results/"$machine"-*.rnnbook.tmp "$out/" 2>/dev/null  # the finished rows, if it was stopped

deadline=$(($(left) - 15))
python3 bench/bench_book.py --machine "$machine" --passes empty_caches --jobs 16 \
    --deadline $((deadline > 30 ? deadline : 30)) --output "$out/book.json" 2>&1 | tee "$out/book.log"
echo "bench_gpu.sh: $((SECONDS - begin)) s"
