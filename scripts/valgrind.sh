#!/usr/bin/env bash
# Leak and memory-error check of the native addon under valgrind (Linux only).
#
#   scripts/valgrind.sh [path/to/addon.node]
#
# Default: build/Release/discrescue.node (run `npm run build:native` first). Given the test build
# from build/testing/ (made by the native tests), execute() and close() are exercised too, on
# /dev/null. Exits non-zero on a definite leak or an invalid read/write in the addon.
set -euo pipefail
cd "$(dirname "$0")/.."

addon="${1:-build/Release/discrescue.node}"
if [ ! -f "$addon" ]; then
  echo "valgrind.sh: $addon not found; run npm run build:native" >&2
  exit 2
fi
command -v valgrind >/dev/null || { echo "valgrind.sh: valgrind is not installed (apt-get install valgrind)" >&2; exit 2; }

scenario=$(cat <<'JS'
const addon = require(process.argv[1]);
const rounds = 200;
async function main() {
  for (let i = 0; i < rounds; i += 1) {
    for (const path of ['/dev/sr99', '/dev/null', '/etc/hostname', '/tmp']) {
      await addon.open(path, { exclusive: i % 2 === 0 }).then((d) => d.close(), () => {});
    }
    for (const bad of [undefined, 42, '', {}, 'a\0b']) {
      try { addon.open(bad); } catch {}
    }
  }
  if (typeof addon.openUnchecked === 'function') {
    const device = await addon.openUnchecked('/dev/null');
    const cdb = Uint8Array.of(0x12, 0, 0, 0, 96, 0);
    for (let i = 0; i < rounds; i += 1) {
      await device.execute(cdb, 'in', 4096, 1000).catch(() => {});
      await device.execute(new Uint8Array(10), 'out', new Uint8Array(2048), 1000).catch(() => {});
      for (const args of [[], [cdb, 'sideways'], [cdb, 'in', -1, 1], [cdb, 'none', undefined, 0], [new Uint8Array(3), 'none', undefined, 1]]) {
        try { device.execute(...args); } catch {}
      }
    }
    const inFlight = device.execute(cdb, 'in', 65536, 1000).catch(() => {});
    device.close();
    device.close();
    await inFlight;
  }
  globalThis.gc?.();
}
main();
JS
)

# V8 scans the stack conservatively, which memcheck reports as reads of uninitialised memory.
suppressions=$(mktemp)
trap 'rm -f "$suppressions"' EXIT
cat >"$suppressions" <<'SUPP'
{
   v8-conservative-stack-scan
   Memcheck:Cond
   ...
   fun:*IteratePointersInStack*
}
{
   v8-conservative-stack-scan-value
   Memcheck:Value8
   ...
   fun:*IteratePointersInStack*
}
SUPP

valgrind --quiet --error-exitcode=1 --suppressions="$suppressions" --leak-check=full --show-leak-kinds=definite \
  --errors-for-leak-kinds=definite \
  node --expose-gc --jitless -e "$scenario" "$(realpath "$addon")"
echo "valgrind.sh: no errors and no definite leaks in $addon"
