#!/usr/bin/env bash
# bench/sandbox-scale.sh [N] [MIX] — how fast the sandbox comes up and goes down with N instances, and
# what it costs. Prints one JSON line: {"instances":N,"mix":…,"up_seconds":…,"down_seconds":…,
# "pss_mib_total":…,"pss_mib_per_instance":…,"listening":…,"cores":…}. Needs root. Reports, asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-200}
mix=${2:-default}
./scripts/setup.sh >/dev/null
swift build -c release 2>&1 | grep -E "error|warning: .*Sources/" || true
bin=$(swift build -c release --show-bin-path)/eicsetup
state=/tmp/eicsetup-bench-sandbox
"$bin" sandbox down --state-dir "$state" >/dev/null 2>&1 || true
trap '"$bin" sandbox down --state-dir "$state" >/dev/null 2>&1 || true' EXIT
now() { date +%s.%N; }
start=$(now)
"$bin" sandbox up --state-dir "$state" --instances "$count" --mix "$mix" --subnet 150 >/dev/null 2>"$state.up.log" ||
    { cat "$state.up.log" >&2; exit 1; }
up=$(now)
"$bin" sandbox status --state-dir "$state" --json > "$state.status.json"
down_start=$(now)
"$bin" sandbox down --state-dir "$state" >/dev/null 2>&1
end=$(now)
trap - EXIT
.venv/bin/python - "$state.status.json" "$count" "$mix" "$start" "$up" "$down_start" "$end" "$(nproc)" <<'PY'
import json, sys
status_file, count, mix, start, up, down_start, end, cores = sys.argv[1:]
with open(status_file) as source:
    status = json.load(source)
instances = status["status"]["instances"]
total = status["total_instance_kib"] / 1024
print(json.dumps({"instances": int(count), "mix": mix, "up_seconds": round(float(up) - float(start), 2),
                  "down_seconds": round(float(end) - float(down_start), 2),
                  "pss_mib_total": round(total, 1), "pss_mib_per_instance": round(total / max(1, len(instances)), 2),
                  "listening": sum(1 for i in instances if i["ssh_listening"]), "cores": int(cores)}))
PY
rm -f "$state.status.json" "$state.up.log"
