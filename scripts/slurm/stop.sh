#!/usr/bin/env bash
# Stops the daemons setup-single-node.sh started, each by the pid in its own pid file, and waits
# for them to exit. Safe to run when they are not running.
set -uo pipefail
left=()
for entry in slurmd:/run/slurmd.pid slurmctld:/run/slurmctld.pid munged:/run/munge/munged.pid; do
  name=${entry%%:*} file=${entry#*:}
  [ -f "$file" ] || continue
  pid=$(cat "$file")
  if [ -n "$pid" ] && kill "$pid" 2>/dev/null; then
    echo "== stopping $name ($pid)"
    left+=("$pid")
  fi
done
for _ in $(seq 1 20); do
  alive=()
  for pid in "${left[@]}"; do kill -0 "$pid" 2>/dev/null && alive+=("$pid"); done
  [ ${#alive[@]} -eq 0 ] && exit 0
  sleep 0.5
done
echo "stop.sh: still running after 10 s: ${alive[*]}" >&2
exit 1
