# Sourced by scripts/test: the real parts the tests drive, installed when missing (Debian/Ubuntu).
# - a headless Chromium for the browser tests of `coach serve` (Playwright drives the system browser;
#   `playwright install` cannot download here), and a Chinese font so zh pages render.
set -euo pipefail

_need_pkgs=()
if ! command -v chromium-headless-shell >/dev/null 2>&1 && ! command -v chromium >/dev/null 2>&1; then
    _need_pkgs+=(chromium-headless-shell)
fi
if command -v dpkg >/dev/null 2>&1 && ! dpkg -s fonts-wqy-zenhei >/dev/null 2>&1; then
    _need_pkgs+=(fonts-wqy-zenhei)
fi
if ((${#_need_pkgs[@]})); then
    if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null 2>&1; then
        echo "scripts/test: installing ${_need_pkgs[*]} (apt-get) for the browser tests" >&2
        apt-get update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${_need_pkgs[@]}" >/dev/null
    else
        echo "scripts/test: the browser tests need: ${_need_pkgs[*]} (install them with your package manager," \
             "as root: apt-get install ${_need_pkgs[*]})" >&2
    fi
fi
