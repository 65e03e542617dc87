#!/usr/bin/env bash
# Install the servers we compare with into bench/peers/ (git-ignored, never committed).
# Hocuspocus (@hocuspocus/server) and y-websocket 2.1.0, whose package bundles the classic y-websocket server.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p peers
cd peers
[ -f package.json ] || echo '{"name": "bench-peers", "private": true}' > package.json
npm install --no-audit --no-fund --loglevel=error --save-exact \
  @hocuspocus/server@4.7.0 y-websocket@2.1.0 yjs@13.6.33
