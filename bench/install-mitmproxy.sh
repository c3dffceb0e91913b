#!/usr/bin/env bash
# Installs mitmproxy 11 from PyPI into bench/.mitmproxy (a venv, not on PATH), where bench/run.sh finds
# `mitmdump` for its third column. Optional: the bench runs without it.
set -euo pipefail
venv="$(cd "$(dirname "$0")" && pwd)/.mitmproxy"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet 'mitmproxy>=11,<12'
"$venv/bin/mitmdump" --version | head -1
