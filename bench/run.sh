#!/usr/bin/env bash
# The benchmark (docs/load.md): bash bench/run.sh [N] [C]
#   N  messages for convospec and smtp-source (default 20000)
#   C  concurrent sessions (default 50)
# Env: SWAKS_N (default 200), SINK_PORT (default 12525), RUNS (timed runs each, default 5; convospec and smtp-source take turns).
# Not part of `npm test`. Builds convospec into node_modules/.cache/convospec-bench (never
# touches dist/; outside what eslint and git look at). Results: bench/out/results.json.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)

bash "$here/install.sh"
build="$repo/node_modules/.cache/convospec-bench"
echo "bench: building convospec into ${build#"$repo/"}" >&2
(cd "$repo" && npx rolldown -c rolldown.config.mjs --dir "$build/dist" >/dev/null) # the same bundle as `npm run build`
cp "$repo/package.json" "$build/package.json" # dist/ reads its version from ../package.json
# bench/validate.ts (the loader's in-process breakdown of loading specs), built the same way.
(cd "$repo" && npx tsc --strict --module nodenext --moduleResolution nodenext --target es2022 --skipLibCheck \
  --types node --outDir "$build/validate" bench/validate.ts) || echo "bench: bench/validate.ts did not build; skipped" >&2
exec node "$here/run.mjs" "$@"
