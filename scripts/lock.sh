#!/usr/bin/env bash
# Re-pin requirements/app.txt and requirements/dev.txt from pyproject.toml in fresh venvs.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
python3 -m venv "$tmp/app" && "$tmp/app/bin/pip" install -q .
{ echo "# Exact versions of Accord's runtime dependencies (ranges live in pyproject.toml)."
  echo "# Regenerate: make lock"
  "$tmp/app/bin/pip" freeze | grep -v '^accord'; } > requirements/app.txt
python3 -m venv "$tmp/dev" && "$tmp/dev/bin/pip" install -q . $(sed -n 's/^dev-tools: //p' requirements/dev.in)
{ echo "# Exact versions of the test and lint tools, on top of app.txt."
  echo "-r app.txt"
  comm -23 <("$tmp/dev/bin/pip" freeze | grep -v '^accord' | sort) <(grep -v '^#' requirements/app.txt | sort); } > requirements/dev.txt
