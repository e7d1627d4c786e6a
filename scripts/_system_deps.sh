# Sourced by scripts/test: the real parts the tests drive, installed when missing (Debian/Ubuntu),
# so those tests run instead of being skipped:
# - a headless Chromium for the browser tests of `coach serve` (Playwright drives the system
#   browser; `playwright install` cannot download here), and a Chinese font so zh pages render;
# - the PostgreSQL server binaries for the central-store tests (tests/central start a throwaway
#   cluster as an unprivileged user on 127.0.0.1).
set -euo pipefail

_need_pkgs=()
if ! command -v chromium-headless-shell >/dev/null 2>&1 && ! command -v chromium >/dev/null 2>&1; then
    _need_pkgs+=(chromium-headless-shell)
fi
if command -v dpkg >/dev/null 2>&1 && ! dpkg -s fonts-wqy-zenhei >/dev/null 2>&1; then
    _need_pkgs+=(fonts-wqy-zenhei)
fi
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1; then
    _need_pkgs+=(postgresql-15)
fi
if ((${#_need_pkgs[@]})); then
    if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null 2>&1; then
        echo "scripts/test: installing ${_need_pkgs[*]} (apt-get) for the browser and central-store tests" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >/dev/null
        if ! apt-get install -y -qq --no-install-recommends "${_need_pkgs[@]}" >/dev/null; then
            # An older or newer release names the server package without its version.
            _need_pkgs=("${_need_pkgs[@]/postgresql-15/postgresql}")
            apt-get install -y -qq --no-install-recommends "${_need_pkgs[@]}" >/dev/null
        fi
    else
        echo "scripts/test: these tests need: ${_need_pkgs[*]} (as root: apt-get install ${_need_pkgs[*]});" \
             "in CI they fail without them" >&2
    fi
fi
