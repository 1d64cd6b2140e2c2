#!/usr/bin/env bash
# Install the peers for the side-by-side benchmarks into bench/.peers/ (git-ignored, never runtime deps).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
mkdir -p "$here/.peers/node"
(cd "$here/.peers/node" && npm install --silent --no-audit --no-fund @cloud-copilot/iam-simulate@0.1.173)
python3 -m venv "$here/.peers/venv"
"$here/.peers/venv/bin/pip" install -q parliament==1.6.4 cloudsplaining==0.9.1
"$here/.peers/venv/bin/pip" install -q trailscraper==0.10.0  # bench/generate.py: policy generation beside ours
# bench/pmapper_peer.py: PMapper beside the access graph, in a venv of its own (it pins old packages)
python3 -m venv "$here/.peers/pmapper"
"$here/.peers/pmapper/bin/pip" install -q principalmapper==1.1.5
