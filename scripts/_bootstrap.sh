# Sourced by scripts/run and scripts/test: make .venv and install the project into it.
# Re-installs only when pyproject.toml changed since the last install, so a second run is quick.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
EXTRAS="${1:-}"
if [[ ! -x "$VENV/bin/python" ]]; then
    python3 -m venv "$VENV"
fi
STAMP="$VENV/.coach-installed${EXTRAS:+-$EXTRAS}"
if [[ ! -f "$STAMP" || "$ROOT/pyproject.toml" -nt "$STAMP" ]]; then
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >/dev/null
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$ROOT${EXTRAS:+[$EXTRAS]}"
    touch "$STAMP"
fi
# Byte-compile coach when its sources changed. Python does it on the first import anyway, unless
# PYTHONDONTWRITEBYTECODE is set (some CI images and shells): then every start would compile coach's
# modules again, about 40 ms of a 250 ms start (issue 11). An editable install gets no bytecode
# from pip, so this does what pip does for a regular one.
COMPILED="$VENV/.coach-compiled"
if [[ ! -f "$COMPILED" || -n "$(find "$ROOT/coach" -name '*.py' -newer "$COMPILED" -print -quit)" ]]; then
    "$VENV/bin/python" -m compileall -q "$ROOT/coach" >/dev/null && touch "$COMPILED"
fi
