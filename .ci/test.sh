#!/bin/sh
# The whole test suite from a fresh clone: venv, install, lint, types, tests.
# README names this script; .ci/run calls it inside a real Secret Service session.
set -eu
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== mypy"
.venv/bin/mypy
echo "== import contracts"
.venv/bin/lint-imports --no-cache
echo "== pytest"
exec .venv/bin/pytest -n 2 "$@"
