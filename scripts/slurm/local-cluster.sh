#!/usr/bin/env bash
# A one-node SLURM cluster on this machine, for the SLURM tests and for users without a
# cluster (docs/slurm.md). Everything it owns lives under STATE_DIR: its own munged (key,
# socket, pid, log), slurm.conf, the controller's state, slurmd's spool, pids and logs.
#
#   scripts/slurm/local-cluster.sh start  [STATE_DIR]   # then: source STATE_DIR/env
#   scripts/slurm/local-cluster.sh status [STATE_DIR]
#   scripts/slurm/local-cluster.sh stop   [STATE_DIR]
#
# STATE_DIR defaults to ${LATHE_SLURM_DIR:-/tmp/lathe-slurm}. Several clusters may run at
# once (each picks free ports), one per STATE_DIR. `stop` cancels the cluster's jobs and
# stops only the daemons `start` recorded in STATE_DIR/pids, checking each pid still runs
# this cluster's command line. Needs root (SlurmUser=root) and the Debian 12 packages
# slurmctld slurmd slurm-client munge (scripts/setup.sh installs them).
set -euo pipefail

command_name=${1:-}
state_dir=${2:-${LATHE_SLURM_DIR:-/tmp/lathe-slurm}}
partition=lathe
node=lathe-node

usage() {
  echo "usage: $0 start|stop|status [STATE_DIR]   (default STATE_DIR: \${LATHE_SLURM_DIR:-/tmp/lathe-slurm})" >&2
  exit 2
}

die() {
  echo "local-cluster.sh: $*" >&2
  exit 1
}

require_packages() {
  local missing=()
  for program in munged slurmctld slurmd mungekey sbatch scontrol squeue sinfo scancel srun ss; do
    command -v "$program" >/dev/null 2>&1 || missing+=("$program")
  done
  [[ ${#missing[@]} -eq 0 ]] ||
    die "missing ${missing[*]}: install the Debian packages slurmctld slurmd slurm-client munge (and iproute2 for ss;" \
        "scripts/setup.sh installs them)"
  [[ $(id -u) -eq 0 ]] || die "must run as root (the cluster runs SlurmUser=root and jobs as root)"
}

# A TCP port nothing listens on, from a range away from the usual services.
free_port() {
  local taken=" $* "
  for _ in $(seq 200); do
    local port=$((20000 + RANDOM % 30000))
    [[ "$taken" == *" $port "* ]] && continue
    if ! ss -Htan "sport = :$port" | grep -q .; then
      echo "$port"
      return
    fi
  done
  die "no free TCP port found between 20000 and 50000"
}

# True when pid $1 is alive and its command line mentions $2 (so a recycled pid is never
# signalled).
runs_ours() {
  local pid=$1 marker=$2
  [[ -n "$pid" && -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$marker"
}

wait_for_file() {
  local file=$1 what=$2 log=$3
  for _ in $(seq 100); do
    [[ -s "$file" ]] && return 0
    sleep 0.1
  done
  die "$what did not start (no $file after 10 s); its log: $log"
}

write_config() {
  local ctld_port=$1 slurmd_port=$2 tag
  tag=$(printf '%s' "$state_dir" | cksum | cut -d' ' -f1)
  cat >"$state_dir/slurm.conf" <<CONF
# Written by scripts/slurm/local-cluster.sh: a one-node cluster, state under $state_dir.
ClusterName=lathe$tag
# Job ids of their own: two clusters here never run a job step of the same id, whose
# PMIx and Open MPI session folders would then share a name.
FirstJobId=$((1000 + tag % 60000000))
SlurmctldHost=$(hostname)(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
# cred_expire: how long a requeued job waits before it may start again (default 120 s).
AuthInfo=socket=$state_dir/munge/munge.socket,cred_expire=5
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmdParameters=config_overrides
SwitchType=switch/none
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
ReturnToService=2
# Quick tests: requeue allowed, finished jobs forgotten after a minute, a short grace
# between SIGTERM and SIGKILL, no wait for a missing step's other tasks.
JobRequeue=1
MinJobAge=60
KillWait=10
Waittime=0
InactiveLimit=0
# The scheduler looks at pending jobs every 2 s (a requeued job starts soon after it may).
SchedulerParameters=sched_interval=2
StateSaveLocation=$state_dir/ctld
SlurmdSpoolDir=$state_dir/spool
TmpFS=$state_dir/tmp
SlurmctldPidFile=$state_dir/run/slurmctld.pid
SlurmdPidFile=$state_dir/run/slurmd.pid
SlurmctldLogFile=$state_dir/log/slurmctld.log
SlurmdLogFile=$state_dir/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# CPUs above the cores: several ranks fit on a small machine.
NodeName=$node NodeHostname=$(hostname) NodeAddr=127.0.0.1 CPUs=8 State=UNKNOWN
PartitionName=$partition Nodes=$node Default=YES MaxTime=INFINITE State=UP
CONF
}

start_munge() {
  mkdir -p "$state_dir/munge"
  chmod 700 "$state_dir/munge"
  [[ -s "$state_dir/munge/munge.key" ]] || mungekey --create --keyfile="$state_dir/munge/munge.key" >/dev/null
  chmod 600 "$state_dir/munge/munge.key"
  munged --force --socket="$state_dir/munge/munge.socket" --key-file="$state_dir/munge/munge.key" \
    --pid-file="$state_dir/munge/munged.pid" --log-file="$state_dir/munge/munged.log" \
    --seed-file="$state_dir/munge/munged.seed" ||
    die "munged did not start; its log: $state_dir/munge/munged.log"
  wait_for_file "$state_dir/munge/munged.pid" munged "$state_dir/munge/munged.log"
  echo "munged $(cat "$state_dir/munge/munged.pid") $state_dir/munge/munge.socket" >>"$state_dir/pids"
}

start_cluster() {
  require_packages
  if [[ -s "$state_dir/pids" ]]; then
    while read -r _ pid marker; do
      runs_ours "$pid" "$marker" && die "a cluster already runs from $state_dir (pid $pid); stop it first"
    done <"$state_dir/pids"
  fi
  mkdir -p "$state_dir"/{ctld,spool,run,log,tmp}
  : >"$state_dir/pids"
  local ctld_port slurmd_port
  ctld_port=$(free_port)
  slurmd_port=$(free_port "$ctld_port")
  write_config "$ctld_port" "$slurmd_port"
  start_munge
  local conf=$state_dir/slurm.conf
  # -i: ignore state a previous cluster left in ctld/ (its jobs are gone with it).
  SLURM_CONF=$conf slurmctld -i -f "$conf" || die "slurmctld did not start; its log: $state_dir/log/slurmctld.log"
  wait_for_file "$state_dir/run/slurmctld.pid" slurmctld "$state_dir/log/slurmctld.log"
  echo "slurmctld $(cat "$state_dir/run/slurmctld.pid") $conf" >>"$state_dir/pids"
  SLURM_CONF=$conf slurmd -f "$conf" -N "$node" || die "slurmd did not start; its log: $state_dir/log/slurmd.log"
  wait_for_file "$state_dir/run/slurmd.pid" slurmd "$state_dir/log/slurmd.log"
  echo "slurmd $(cat "$state_dir/run/slurmd.pid") $conf" >>"$state_dir/pids"
  echo "export SLURM_CONF=$conf" >"$state_dir/env"
  # Ready when the node takes jobs.
  for _ in $(seq 150); do
    if SLURM_CONF=$conf sinfo -h -n "$node" -o %t 2>/dev/null | grep -qE '^(idle|mix|alloc)'; then
      echo "local-cluster.sh: cluster up in $state_dir (partition $partition, node $node, 8 CPUs);" \
           "use it with: source $state_dir/env"
      return 0
    fi
    sleep 0.2
  done
  die "the node did not become idle in 30 s; logs: $state_dir/log/"
}

stop_cluster() {
  [[ -s "$state_dir/pids" ]] || { echo "local-cluster.sh: no cluster recorded in $state_dir"; return 0; }
  local conf=$state_dir/slurm.conf
  # The cluster's jobs first: their steps outlive slurmd otherwise.
  if command -v scancel >/dev/null 2>&1 && [[ -f "$conf" ]]; then
    local jobs
    jobs=$(SLURM_CONF=$conf squeue -h -o %i 2>/dev/null || true)
    if [[ -n "$jobs" ]]; then
      # shellcheck disable=SC2086
      SLURM_CONF=$conf scancel $jobs 2>/dev/null || true
      for _ in $(seq 50); do
        [[ -z "$(SLURM_CONF=$conf squeue -h -o %i 2>/dev/null || true)" ]] && break
        sleep 0.2
      done
    fi
  fi
  # Daemons in reverse start order: slurmd, slurmctld, munged.
  local lines=()
  mapfile -t lines <"$state_dir/pids"
  for ((i = ${#lines[@]} - 1; i >= 0; i--)); do
    read -r name pid marker <<<"${lines[i]}"
    if ! runs_ours "$pid" "$marker"; then
      continue
    fi
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do
      runs_ours "$pid" "$marker" || break
      sleep 0.1
    done
    if runs_ours "$pid" "$marker"; then
      echo "local-cluster.sh: $name (pid $pid) ignored SIGTERM for 10 s; sending SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  : >"$state_dir/pids"
  rm -f "$state_dir/env"
  echo "local-cluster.sh: cluster in $state_dir stopped"
}

status_cluster() {
  [[ -s "$state_dir/pids" ]] || { echo "local-cluster.sh: no cluster recorded in $state_dir"; return 1; }
  local down=0
  while read -r name pid marker; do
    if runs_ours "$pid" "$marker"; then
      echo "$name: running (pid $pid)"
    else
      echo "$name: not running (recorded pid $pid)"
      down=1
    fi
  done <"$state_dir/pids"
  if [[ $down -eq 0 ]]; then
    SLURM_CONF=$state_dir/slurm.conf sinfo -h -o "partition %P: node %N %t, %c CPUs" || true
  fi
  return $down
}

case "$command_name" in
  start) start_cluster ;;
  stop) stop_cluster ;;
  status) status_cluster ;;
  *) usage ;;
esac
