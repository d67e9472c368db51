#!/usr/bin/env bash
# Regenerate the two lock files from their loose inputs (see README, "Locked installs").
#   requirements-test.in -> requirements-test.txt   (book + TensorFlow + PyTorch + test tools)
#   requirements.in      -> requirements.txt        (the book alone, constrained to the test lock,
#                                                    so every version the book installs was tested)
# Usage: tools/lock.sh [--upgrade]   (needs uv: `pip install uv`; the version below made the locks)
set -euo pipefail
cd "$(dirname "$0")/.."
UV_VERSION=0.13.8
uv="${UV:-uv}"
"$uv" --version | grep -q " ${UV_VERSION}" || echo "note: the locks were made with uv ${UV_VERSION}; got $("$uv" --version)" >&2
# One lock for every platform (--universal) and for CPython 3.11 and later, with hashes; where
# versions may differ by Python version, prefer the fewest versions (one tested set where possible).
opts=(--universal --python-version 3.11 --generate-hashes --fork-strategy fewest --quiet "$@")
"$uv" pip compile requirements-test.in "${opts[@]}" -o requirements-test.txt
"$uv" pip compile requirements.in "${opts[@]}" -c requirements-test.txt -o requirements.txt
echo "requirements-test.txt: $(grep -c '^[a-z]' requirements-test.txt) pins; requirements.txt: $(grep -c '^[a-z]' requirements.txt) pins"
