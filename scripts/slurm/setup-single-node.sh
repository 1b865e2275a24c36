#!/usr/bin/env bash
# A one-node SLURM cluster on this machine (Debian's slurm-wlm + munge, as root, no systemd),
# for the sweep integration tests. Follows ../shared/notes/slurm-single-node.md. Idempotent:
# a second call finds the daemons running and only waits for the node to be idle.
# Stop it with scripts/slurm/stop.sh.
set -euo pipefail

if [ "$(id -u)" != 0 ]; then
  echo "setup-single-node.sh: must run as root (it installs packages and starts daemons)" >&2
  exit 2
fi

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null || ! command -v sinfo >/dev/null; then
  echo "== apt-get install slurm-wlm munge"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq slurm-wlm munge >/dev/null || { apt-get update -qq && apt-get install -y -qq slurm-wlm munge >/dev/null; }
fi

mkdir -p /etc/munge /run/munge /var/spool/slurmctld /var/spool/slurmd /var/log/slurm /var/log/munge /var/lib/munge
[ -f /etc/munge/munge.key ] || mungekey -c
chown -R munge:munge /etc/munge /run/munge /var/log/munge /var/lib/munge
chmod 400 /etc/munge/munge.key

if ! pgrep -x munged >/dev/null; then
  echo "== munged"
  munged --force
fi

H=$(hostname)
MEM=$(free -m | awk '/Mem/{print int($2*0.8)}')
CONF=$(cat <<CONF
ClusterName=local
SlurmctldHost=$H
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ReturnToService=2
KillWait=5
NodeName=$H CPUs=$(nproc) RealMemory=$MEM State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
)
mkdir -p /etc/slurm
if [ ! -f /etc/slurm/slurm.conf ] || [ "$(cat /etc/slurm/slurm.conf)" != "$CONF" ]; then
  echo "== /etc/slurm/slurm.conf"
  printf '%s\n' "$CONF" > /etc/slurm/slurm.conf
  CHANGED=1
fi

if [ -n "${CHANGED:-}" ] && pgrep -x slurmctld >/dev/null; then
  scontrol reconfigure || true
fi
pgrep -x slurmctld >/dev/null || { echo "== slurmctld"; slurmctld; }
pgrep -x slurmd >/dev/null || { echo "== slurmd"; slurmd; }

# The node starts "unknown"; wait up to 60 s for it to be idle (or mixed/allocated by an earlier job).
for _ in $(seq 1 60); do
  state=$(sinfo --noheader --format=%T 2>/dev/null | head -n1 || true)
  case "$state" in
    idle|mixed|allocated|completing) echo "== slurm is up: $(sinfo --noheader)"; exit 0 ;;
    down*|drain*) scontrol update NodeName="$H" State=RESUME 2>/dev/null || true ;;
  esac
  sleep 1
done
echo "setup-single-node.sh: the node did not become idle in 60 s; sinfo says:" >&2
sinfo >&2 || true
tail -n 20 /var/log/slurm/slurmctld.log /var/log/slurm/slurmd.log >&2 || true
exit 1
