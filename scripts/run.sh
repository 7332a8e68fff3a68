#!/usr/bin/env bash
# `make run`: start the main job on this node. Until the agent lands this lints the bundled
# example profiles, the most useful real thing built so far.
set -euo pipefail
cd "$(dirname "$0")/.."
if build/vigil agent --help >/dev/null 2>&1; then
	exec build/vigil agent ${VIGIL_CONFIG:+--config "$VIGIL_CONFIG"}
fi
build/vigil version
