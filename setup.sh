#!/usr/bin/env bash
# Install everything Trainyard needs on Debian/Ubuntu, build the dashboard, start the daemon in the
# background and import the demo dataset. Safe to run again.
#   ./setup.sh               install + start (dashboard at http://127.0.0.1:7070)
#   ./setup.sh --install-only   install and build, start nothing (what CI uses)
set -euo pipefail
cd "$(dirname "$0")"

START=1
[ "${1:-}" = "--install-only" ] && START=0
PORT="${TRAINYARD_PORT:-7070}"
HOME_DIR="${TRAINYARD_HOME:-$HOME/.trainyard}"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# 1. System packages: Node.js, Python + PyTorch (CPU build from Debian), Chromium for the browser tests,
#    a compiler for better-sqlite3, and Slurm + munge for the single-host cluster the Slurm tests start
#    (scripts/local-slurm.sh; the packages install their daemons, which the script runs itself).
APT_PACKAGES="python3 python3-numpy python3-torch python3-torchvision python3-sklearn python3-optuna python3-pytest chromium build-essential ca-certificates curl slurm-wlm munge"
missing=""
for p in $APT_PACKAGES; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
command -v node >/dev/null 2>&1 || missing="$missing nodejs npm"
if [ -n "$missing" ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  say "installing system packages:$missing"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q $missing
fi
node -e 'const [a,b]=process.versions.node.split(".").map(Number); if (a<20 || (a===20 && b<9)) { console.error(`Node.js ${process.versions.node} is too old: Trainyard needs 20.9 or newer (https://nodejs.org, or your distribution'"'"'s nodejs 20+ package)`); process.exit(1) }'

# 2. JavaScript dependencies and the dashboard build.
say "installing npm dependencies"
# onnxruntime-node carries its CPU runtime in the npm package; its install script would only fetch GPU
# binaries from outside the registry. npm 11 does not run it (package.json allowScripts leaves it out);
# older npm runs every script, so tell the script itself to skip.
ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund
say "building the dashboard"
NEXT_TELEMETRY_DISABLED=1 npm run build

# 3. Check that a Python with torch is found the way the daemon finds it.
npx tsx scripts/check-python.ts

[ "$START" -eq 1 ] || { say "installed; start with: node bin/trainyard.mjs daemon"; exit 0; }

# 4. Start the daemon (unless one already answers) and import the demo dataset.
URL="http://127.0.0.1:$PORT"
if ! curl -fsS "$URL/healthz" >/dev/null 2>&1; then
  mkdir -p "$HOME_DIR"
  say "starting the daemon on $URL (log: $HOME_DIR/daemon.log)"
  TRAINYARD_HOME="$HOME_DIR" nohup node bin/trainyard.mjs daemon --port "$PORT" >>"$HOME_DIR/daemon.log" 2>&1 &
  echo $! >"$HOME_DIR/daemon.pid"
  for _ in $(seq 1 120); do curl -fsS "$URL/healthz" >/dev/null 2>&1 && break; sleep 0.5; done
  curl -fsS "$URL/healthz" >/dev/null || { echo "the daemon did not start; see $HOME_DIR/daemon.log"; exit 1; }
fi
if ! TRAINYARD_URL="$URL" node bin/trainyard.mjs dataset ls | grep -q '^demo '; then
  say "importing the demo dataset"
  TRAINYARD_URL="$URL" node bin/trainyard.mjs demo
fi
say "ready: open $URL — or train from the terminal: node bin/trainyard.mjs run configs/demo.yaml --wait"
