#!/usr/bin/env bash
# A single-host Slurm cluster from Debian's packages (slurm-wlm, munge), for the tests and for trying the
# Slurm executor without a real cluster.
#
#   scripts/local-slurm.sh start    generate the config, start munged (unless the system one answers),
#                                   slurmctld and one slurmd per node; wait until sinfo shows them idle;
#                                   print the environment a client needs (eval "$(... start)" sets it)
#   scripts/local-slurm.sh stop     stop what start started (the daemons whose pid files are in the state folder)
#   scripts/local-slurm.sh status   sinfo and squeue of this cluster
#   scripts/local-slurm.sh env      print the client environment only
#
# Everything (slurm.conf, munge key and socket, spool, state, logs, pid files) lives in one state folder, and
# every port comes from one base, so two clusters coexist on a host:
#   TRAINYARD_SLURM_PORT   base port: slurmctld listens on it, node nK's slurmd on base+K (default 16817)
#   TRAINYARD_SLURM_DIR    state folder (default ${TMPDIR:-/tmp}/trainyard-slurm-<port>)
#   TRAINYARD_SLURM_NODES  compute nodes n1..nN in partition `debug` (default 2)
#   TRAINYARD_SLURM_CPUS   CPUs each node offers (default: this host's CPU count)
#   TRAINYARD_SLURM_TIMEOUT  seconds `start` waits for the nodes (default 60)
# start and stop are idempotent: start starts only what is not running (a slurmctld stopped on purpose comes
# back with its saved job state), stop leaves the folder for the logs.
#
# Several nodes on one host: Debian's slurmd has `-N NAME` and its slurmctld accepts several NodeNames with
# the same NodeHostname as long as each has its own Port, so nodes n1..nN are real slurmd processes on this
# host (SlurmdSpoolDir / pid / log use %n). A job with -N 2 gets two nodes, and `srun --ntasks-per-node=G`
# starts G tasks under each node's slurmd, with SLURM_NODEID 0 and 1: the same environment as two machines,
# except that every node is this host: NodeAddr=127.0.0.1, and the names n1.. do not resolve (the trainer then
# takes the master's NodeAddr from scontrol, as on a cluster whose node names are not host names).
#
# Made for containers and CI (root, no systemd, maybe no cgroups): proctrack/linuxproc, task/none, no cgroup
# plugins, select/cons_tres by core, no accounting database (plain `sacct` says "accounting storage is
# disabled": use squeue / scontrol show job, where finished jobs stay for MinJobAge=600 s, or `sacct -c`, which
# reads the job completion log log/jobcomp.log). No GPUs (GRES) are configured, so --gpus* requests are
# rejected, and so is a job asking for more nodes than the partition has (EnforcePartLimits=ALL), at submit.
set -euo pipefail
# the daemons are in /usr/sbin, which a non-login shell's PATH may lack
PATH="$PATH:/usr/sbin:/sbin"

PORT="${TRAINYARD_SLURM_PORT:-16817}"
DIR="${TRAINYARD_SLURM_DIR:-${TMPDIR:-/tmp}/trainyard-slurm-$PORT}"
NODES="${TRAINYARD_SLURM_NODES:-2}"
# (nproc would count OMP_NUM_THREADS, which a test runner often sets to 1)
CPUS="${TRAINYARD_SLURM_CPUS:-$(env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc)}"
TIMEOUT="${TRAINYARD_SLURM_TIMEOUT:-60}"
CONF="$DIR/etc/slurm.conf"
SYSTEM_MUNGE_SOCKET=/run/munge/munge.socket.2

die() { echo "local-slurm: $*" >&2; exit 1; }

for v in PORT NODES CPUS TIMEOUT; do
  [[ "${!v}" =~ ^[0-9]+$ ]] || die "TRAINYARD_SLURM_$v must be a whole number, got '${!v}'"
done
[ "$NODES" -ge 1 ] || die "TRAINYARD_SLURM_NODES must be at least 1"
[ "$PORT" -ge 1024 ] && [ $((PORT + NODES)) -le 65535 ] ||
  die "TRAINYARD_SLURM_PORT=$PORT: the ports $PORT..$((PORT + NODES)) must lie in 1024..65535"
[ "$CPUS" -ge 1 ] || die "TRAINYARD_SLURM_CPUS must be at least 1"
# unix sockets live in the folder (munge's, and each job step's in spool/nK/): their paths must stay under 108 bytes
[ "${#DIR}" -le 70 ] || die "TRAINYARD_SLURM_DIR=$DIR is ${#DIR} characters long: the sockets in it would pass the
108-byte limit of a unix socket path; pick a folder of at most 70 characters"

need() {
  command -v "$1" >/dev/null 2>&1 && return
  die "$1 not found: install Debian's slurm-wlm and munge packages (setup.sh --install-only does)"
}

# a pid file's process, if it is still the daemon named (pids are reused)
alive() {
  local pidfile="$1" name="$2" pid
  [ -s "$pidfile" ] || return 1
  pid="$(cat "$pidfile" 2>/dev/null)"
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -q "$name"
}

munge_socket() {
  if [ -s "$DIR/munge/socket-path" ]; then cat "$DIR/munge/socket-path"; else echo "$DIR/munge/munge.socket"; fi
}

munge_answers() { munge -n -S "$1" 2>/dev/null | unmunge -S "$1" >/dev/null 2>&1; }

start_munge() {
  mkdir -p "$DIR/munge"
  chmod 700 "$DIR/munge"
  # the system munged (with the system key) serves every cluster on the host when it runs; else our own
  if [ ! -e "$DIR/munge/munged.pid" ] && munge_answers "$SYSTEM_MUNGE_SOCKET"; then
    echo "$SYSTEM_MUNGE_SOCKET" >"$DIR/munge/socket-path"
    return
  fi
  local socket="$DIR/munge/munge.socket"
  echo "$socket" >"$DIR/munge/socket-path"
  alive "$DIR/munge/munged.pid" munged && munge_answers "$socket" && return
  [ -s "$DIR/munge/munge.key" ] || mungekey --create --keyfile="$DIR/munge/munge.key" ||
    die "cannot create a munge key in $DIR/munge"
  chmod 600 "$DIR/munge/munge.key"
  rm -f "$socket" "$socket.lock"
  # --force: the state folder may sit under a world-writable /tmp, which munged would otherwise refuse
  munged --force --key-file="$DIR/munge/munge.key" --socket="$socket" --pid-file="$DIR/munge/munged.pid" \
    --log-file="$DIR/log/munged.log" --seed-file="$DIR/munge/munged.seed" </dev/null >>"$DIR/log/munged.log" 2>&1 ||
    die "munged did not start; the end of $DIR/log/munged.log:
$(tail -n 20 "$DIR/log/munged.log" 2>/dev/null)"
  for _ in $(seq 1 50); do munge_answers "$socket" && return; sleep 0.1; done
  die "munged does not answer on $socket; the end of $DIR/log/munged.log:
$(tail -n 20 "$DIR/log/munged.log" 2>/dev/null)"
}

write_config() {
  local user host k node_lines=""
  user="$(id -un)"
  host="$(hostname -s)"
  # one line per node: each slurmd has its own port
  for k in $(seq 1 "$NODES"); do
    node_lines+="NodeName=n$k NodeHostname=$host NodeAddr=127.0.0.1 Port=$((PORT + k)) CPUs=$CPUS State=UNKNOWN"$'\n'
  done
  mkdir -p "$DIR/etc" "$DIR/state" "$DIR/spool" "$DIR/log" "$DIR/run"
  cat >"$CONF.new" <<EOF
# generated by scripts/local-slurm.sh: a single-host cluster in $DIR
ClusterName=trainyard
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
SlurmUser=$user
SlurmdUser=$user
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$(munge_socket)
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool/%n
SlurmctldPidFile=$DIR/run/slurmctld.pid
SlurmdPidFile=$DIR/run/slurmd-%n.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd-%n.log
JobCompType=jobcomp/filetxt
JobCompLoc=$DIR/log/jobcomp.log
PlugStackConfig=$DIR/etc/plugstack.conf
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmdParameters=config_overrides
ReturnToService=2
SlurmctldTimeout=10
SlurmdTimeout=10
MessageTimeout=10
InactiveLimit=0
KillWait=5
MinJobAge=600
EnforcePartLimits=ALL
${node_lines}PartitionName=debug Nodes=n[1-$NODES] Default=YES MaxTime=INFINITE State=UP
EOF
  : >"$DIR/etc/plugstack.conf"  # not the system's /etc/slurm/plugstack.conf
  mv "$CONF.new" "$CONF"
}

client_env() {
  echo "export SLURM_CONF=$CONF"
}

nodes_line() { SLURM_CONF="$CONF" sinfo -h -N -p debug -o '%N=%T' 2>/dev/null | sort -u | tr '\n' ' ' || true; }

# the slurmctld that answers on our port is ours (not another cluster's started on the same port)
ours() {
  SLURM_CONF="$CONF" scontrol show config 2>/dev/null | grep -Eq "^StateSaveLocation += $DIR/state\$"
}

# every node idle, or busy with jobs (a restart while jobs run); down / drained / not responding (*) = not yet
all_up() {
  local entry n=0
  for entry in $1; do
    [[ "$entry" =~ ^n[0-9]+=(idle|mixed|allocated|completing)$ ]] || return 1
    n=$((n + 1))
  done
  [ "$n" -eq "$NODES" ]
}

logs_tail() {
  local f
  for f in "$DIR"/log/slurmctld.log "$DIR"/log/slurmd-*.log; do
    [ -s "$f" ] || continue
    echo "--- the end of $f (all of it: ${f%.log}.out):"
    tail -n 8 "$f"
  done
}

cmd_start() {
  need slurmctld; need slurmd; need sinfo; need munged; need mungekey
  mkdir -p "$DIR/log" "$DIR/run"
  if ! alive "$DIR/run/slurmctld.pid" slurmctld && ! any_slurmd_alive; then
    start_munge
    write_config
  else
    start_munge
  fi
  local k
  for k in $(seq 1 "$NODES"); do
    mkdir -p "$DIR/spool/n$k"
    alive "$DIR/run/slurmd-n$k.pid" slurmd && continue
    grep -q "^NodeName=n$k " "$CONF" || die "$CONF has no node n$k (it was made with other TRAINYARD_SLURM_NODES): stop the cluster first"
    # foreground under setsid: our pid file names this process, and no terminal or pipe stays open
    setsid slurmd -D -N "n$k" -f "$CONF" </dev/null >>"$DIR/log/slurmd-n$k.out" 2>&1 &
    echo $! >"$DIR/run/slurmd-n$k.pid"
  done
  if ! alive "$DIR/run/slurmctld.pid" slurmctld; then
    setsid slurmctld -D -f "$CONF" </dev/null >>"$DIR/log/slurmctld.out" 2>&1 &
    echo $! >"$DIR/run/slurmctld.pid"
  fi
  local deadline=$((SECONDS + TIMEOUT)) line=""
  while [ $SECONDS -lt $deadline ]; do
    line="$(nodes_line)"
    if all_up "$line"; then
      ours || die "the slurmctld on port $PORT is another cluster's: pick another TRAINYARD_SLURM_PORT (and stop this one)"
      echo "local-slurm: $NODES node(s) up in partition debug (slurmctld on port $PORT, state in $DIR)" >&2
      client_env
      return 0
    fi
    for f in "$DIR/run/slurmctld.pid" "$DIR"/run/slurmd-n*.pid; do
      alive "$f" slurm || die "$(basename "$f" .pid) exited during start.
$(logs_tail)"
    done
    sleep 0.5
  done
  die "the nodes are not idle after ${TIMEOUT}s (sinfo: ${line:-no answer from slurmctld on port $PORT}).
$(logs_tail)"
}

any_slurmd_alive() {
  local f
  for f in "$DIR"/run/slurmd-n*.pid; do alive "$f" slurmd && return 0; done
  return 1
}

stop_pidfile() {
  local pidfile="$1" name="$2" pid
  alive "$pidfile" "$name" || { rm -f "$pidfile"; return 0; }
  pid="$(cat "$pidfile" 2>/dev/null)" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do alive "$pidfile" "$name" || break; sleep 0.1; done
  alive "$pidfile" "$name" && kill -KILL "$pid" 2>/dev/null || true
  rm -f "$pidfile"
}

# a process and all its descendants (read from /proc: a container may have no procps)
kill_tree() {
  local stat fields child
  for stat in /proc/[0-9]*/stat; do
    fields="$(cat "$stat" 2>/dev/null)" || continue
    fields="${fields##*) }"  # past "pid (comm) ": state ppid ...
    fields="${fields#* }"
    [ "${fields%% *}" = "$1" ] || continue
    child="${stat#/proc/}"
    kill_tree "${child%/stat}"
  done
  kill -KILL "$1" 2>/dev/null || true
}

cmd_stop() {
  [ -d "$DIR" ] || return 0
  local f pid
  # jobs first, while slurmctld can still cancel them (slurmd leaves running steps alone when it stops)
  if alive "$DIR/run/slurmctld.pid" slurmctld && [ -n "$(SLURM_CONF="$CONF" squeue -h -o %i 2>/dev/null)" ]; then
    SLURM_CONF="$CONF" scancel --full $(SLURM_CONF="$CONF" squeue -h -o %i) 2>/dev/null || true
    for _ in $(seq 1 50); do [ -z "$(SLURM_CONF="$CONF" squeue -h -o %i 2>/dev/null)" ] && break; sleep 0.2; done
  fi
  stop_pidfile "$DIR/run/slurmctld.pid" slurmctld
  for f in "$DIR"/run/slurmd-n*.pid; do [ -e "$f" ] && stop_pidfile "$f" slurmd; done
  # job steps of this cluster still alive (a slurmstepd keeps its node's slurmd log open), with their tasks
  for f in /proc/[0-9]*; do
    tr '\0' ' ' 2>/dev/null <"$f/cmdline" | grep -q "^slurmstepd: \[" || continue
    ls -l "$f/fd" 2>/dev/null | grep -qF -- "-> $DIR/log/slurmd-" || continue
    pid="${f#/proc/}"
    kill_tree "$pid"
  done
  stop_pidfile "$DIR/munge/munged.pid" munged
  echo "local-slurm: stopped the cluster in $DIR" >&2
}

cmd_status() {
  [ -f "$CONF" ] || die "no cluster in $DIR (start one with: scripts/local-slurm.sh start)"
  alive "$DIR/run/slurmctld.pid" slurmctld || echo "slurmctld is not running (state in $DIR)"
  SLURM_CONF="$CONF" sinfo -N -o '%N %P %T %c' || true
  SLURM_CONF="$CONF" squeue || true
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  env) client_env ;;
  *) die "usage: scripts/local-slurm.sh start|stop|status|env (see the header of this script)" ;;
esac
