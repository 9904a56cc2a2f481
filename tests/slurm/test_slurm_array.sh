#!/usr/bin/env bash
# A real SLURM cluster of one node on this machine runs a sweep as a 4-task job array plus the
# merge job (scripts/slurm/submit.sh), and the merged file must equal the serial sweep bit for bit.
# submit.sh's time, memory and log settings reach the jobs; a task resubmitted alone
# (sbatch --array=1) writes its own shard with CITSIM_SHARDS and is refused without it, never
# running the whole sweep.
#
#   bash tests/slurm/test_slurm_array.sh <citsim-binary> <source-dir>
#
# Starts its own munged, slurmctld and slurmd (Debian's munge and slurm-wlm) with a config, key,
# state and logs in a temporary directory, on ports derived from the process id, and stops them
# (by their pid files) at the end. slurmd must run as root: as another user the test is skipped
# (exit 77). If a daemon does not come up, its log is printed and the test fails.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../cli/lib.sh"  # CITSIM, SRC, T, pass/fail, report_totals
test_arguments 2 2 "<citsim-binary> <source-dir>" "$@"
SPEC="$SRC/configs/sweeps/needle_density.toml"

if [ "$(id -u)" -ne 0 ]; then
  echo "skip: slurmd runs jobs as their users and needs root; run as root (CI does)"
  exit 77
fi
for tool in munged slurmctld slurmd sbatch scontrol sinfo; do
  command -v "$tool" >/dev/null || { fail "$tool is missing (apt-get install munge slurm-wlm: scripts/setup.sh)"; report_totals; }
done

# The daemons go first (by their pid files), then the directory.
before_cleanup() {
  for d in slurmd slurmctld munged; do
    [ -f "$T/$d.pid" ] && kill "$(cat "$T/$d.pid")" 2>/dev/null
  done
  sleep 1
}
make_test_dir citsim_slurm
chmod 755 "$T"

show_logs() {
  for f in "$T"/*.log; do
    echo "---- $f"
    tail -n 20 "$f"
  done
}

# 1. munge: our own key and socket.
dd if=/dev/urandom of="$T/munge.key" bs=1 count=1024 status=none
chmod 400 "$T/munge.key"
if munged --socket="$T/munge.sock" --key-file="$T/munge.key" --pid-file="$T/munged.pid" \
          --log-file="$T/munged.log" --seed-file="$T/munged.seed"; then
  pass "munged started"
else
  fail "munged did not start"
  show_logs
  report_totals
fi

# 2. slurmctld and slurmd: one node called localhost with 2 CPUs, one partition.
PORT=$((20000 + ($$ % 10000) * 2))
mkdir -p "$T/state" "$T/spool"
cat >"$T/slurm.conf" <<CONF
ClusterName=citsimtest
SlurmctldHost=localhost
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
AuthType=auth/munge
AuthInfo=socket=$T/munge.sock
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$T/state
SlurmdSpoolDir=$T/spool
SlurmctldPidFile=$T/slurmctld.pid
SlurmdPidFile=$T/slurmd.pid
SlurmctldLogFile=$T/slurmctld.log
SlurmdLogFile=$T/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
NodeName=localhost CPUs=2 RealMemory=4096 State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$T/slurm.conf"
slurmctld || { fail "slurmctld did not start"; show_logs; report_totals; }
slurmd -N localhost || { fail "slurmd did not start"; show_logs; report_totals; }
state=""
for _ in $(seq 1 60); do
  state=$(sinfo -h -N -o "%t" 2>/dev/null | head -n 1)
  [ "$state" = "idle" ] && break
  sleep 1
done
if [ "$state" = "idle" ]; then
  pass "slurmctld and slurmd up, node localhost idle"
else
  fail "the node did not become idle within 60 s (state '$state')"
  show_logs
  report_totals
fi

# 3. The serial reference, then the same sweep as a 4-task array and the merge job.
"$CITSIM" sweep "$SPEC" --set model.level=0d -o "$T/serial.h5" -j 1 -q </dev/null ||
  { fail "serial sweep failed"; report_totals; }
cd "$T" || exit 1
submitted=$(CITSIM="$CITSIM" CITSIM_TIME=00:20:00 CITSIM_MEM_PER_CPU=300M CITSIM_LOG_DIR="$T/logs" \
            bash "$SRC/scripts/slurm/submit.sh" "$SPEC" "$T/array.h5" 4 --set model.level=0d 2>&1)
array=$(echo "$submitted" | sed -n 's/^array job \([0-9]*\) .*merge job \([0-9]*\).*/\1/p')
merge=$(echo "$submitted" | sed -n 's/^array job \([0-9]*\) .*merge job \([0-9]*\).*/\2/p')
if [ -n "$array" ] && [ -n "$merge" ]; then
  pass "submit.sh submitted the array ($array) and the merge ($merge)"
else
  fail "submit.sh did not submit" "$submitted"
  report_totals
fi
limits=$(scontrol show job "$array" 2>/dev/null)
if echo "$limits" | grep -q "TimeLimit=00:20:00" && echo "$limits" | grep -q "MinMemoryCPU=300M"; then
  pass "CITSIM_TIME and CITSIM_MEM_PER_CPU reach the array's tasks"
else
  fail "the array's time limit or memory is not what submit.sh was given" "$(echo "$limits" | grep -E 'TimeLimit|MinMemory')"
fi
job_state() { scontrol show job "$1" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | head -n 1; }
# Waits up to 300 s for job $1 to end; prints its final state.
wait_job() {
  local state=""
  for _ in $(seq 1 300); do
    state=$(job_state "$1")
    case "$state" in COMPLETED | FAILED | CANCELLED | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY) break ;; esac
    sleep 1
  done
  echo "$state"
}
merge_state=$(wait_job "$merge")
if [ "$merge_state" = "COMPLETED" ]; then
  pass "the merge job completed after the array"
else
  fail "the merge job ended as '$merge_state'" "$(scontrol show job "$array" 2>&1 | grep -E 'JobState|ArrayTaskId' | head)" \
       "$(cat "$T"/logs/citsim-*.out 2>/dev/null | tail -n 20)"
  show_logs
  report_totals
fi
shards=$(ls "$T"/array.shard-*-of-4.h5 2>/dev/null | wc -l)
[ "$shards" -eq 4 ] && pass "4 array tasks wrote 4 shard files" || fail "$shards shard files, expected 4"
logs=$(ls "$T"/logs/citsim-sweep-"$array"_*.out "$T"/logs/citsim-merge-"$merge".out 2>/dev/null | wc -l)
[ "$logs" -eq 5 ] && pass "the 4 tasks and the merge logged into CITSIM_LOG_DIR" || fail "$logs logs in $T/logs, expected 5"

# 4. Bit-identical to the serial sweep.
if /usr/bin/python3 - "$T/serial.h5" "$T/array.h5" <<'PY'
import sys, h5py, numpy as np
a, b = (h5py.File(p, "r") for p in sys.argv[1:3])
for d in ["/sweep/params", "/sweep/outcomes", "/sweep/status", "/sweep/run",
          "/sweep/series/firmness_gain", "/sweep/series/collagen_induction", "/sweep/series/elastin_change"]:
    x, y = a[d][...], b[d][...]
    if x.dtype == np.float64:
        x, y = x.view(np.uint64), y.view(np.uint64)
    if x.shape != y.shape or not np.array_equal(x, y):
        sys.exit(f"{d} differs")
PY
then
  pass "the SLURM array sweep, merged, is bit-identical to the serial sweep"
else
  fail "the merged SLURM sweep differs from the serial one"
fi

# 5. Task 1 did not finish (its shard is gone, the merged file too) and is resubmitted alone, as
#    docs/cluster.md says. With CITSIM_SHARDS=4 it writes shard 1 of 4 again, bit for bit, and
#    nothing else; the merge then gives the serial sweep again.
mv "$T/array.shard-1-of-4.h5" "$T/first.shard-1-of-4.h5"
rm -f "$T/array.h5"
before=$(ls "$T" | sort)
job=$(CITSIM="$CITSIM" CITSIM_SHARDS=4 sbatch --parsable --array=1 "$SRC/scripts/slurm/sweep_array.sbatch" \
        "$SPEC" "$T/array.h5" --set model.level=0d 2>&1)
job=${job%%;*}
state=$(wait_job "$job")
after=$(ls "$T" | sort)
new_files=$(comm -13 <(echo "$before") <(echo "$after") | grep -v '^citsim-sweep-.*\.out$' | tr '\n' ' ')
if [ "$state" = "COMPLETED" ] && [ "$new_files" = "array.shard-1-of-4.h5 " ] &&
   /usr/bin/python3 -c "
import sys, h5py, numpy as np
a, b = (h5py.File(p, 'r')['/sweep/outcomes'][...] for p in sys.argv[1:3])
sys.exit(0 if a.shape == b.shape and np.array_equal(a.view(np.uint64), b.view(np.uint64)) else 1)" \
     "$T/array.shard-1-of-4.h5" "$T/first.shard-1-of-4.h5"; then
  pass "task 1 resubmitted alone with CITSIM_SHARDS=4 wrote shard 1 of 4 (the same numbers), nothing else"
else
  fail "task 1 resubmitted alone: job $state, new files '$new_files' (expected array.shard-1-of-4.h5 only)" \
       "$(cat "$T"/citsim-sweep-"$job"_1.out 2>/dev/null | tail -n 20)"
fi
merge=$(CITSIM="$CITSIM" sbatch --parsable "$SRC/scripts/slurm/merge.sbatch" "$T/array.h5" 4 2>&1)
merge_state=$(wait_job "${merge%%;*}")
if [ "$merge_state" = "COMPLETED" ] && /usr/bin/python3 - "$T/serial.h5" "$T/array.h5" <<'PY'
import sys, h5py, numpy as np
a, b = (h5py.File(p, "r") for p in sys.argv[1:3])
for d in ["/sweep/params", "/sweep/outcomes", "/sweep/status", "/sweep/series/firmness_gain"]:
    if not np.array_equal(a[d][...].view(np.uint8), b[d][...].view(np.uint8)):
        sys.exit(f"{d} differs")
PY
then
  pass "merged again after the resubmission: bit-identical to the serial sweep"
else
  fail "the merge after the resubmission ended as '$merge_state' or differs from the serial sweep"
fi

# 6. The same resubmission without CITSIM_SHARDS cannot know the shard count: the task fails
#    (exit 2, naming CITSIM_SHARDS) and writes nothing; it used to run the whole sweep into OUT.
rm -f "$T/array.shard-1-of-4.h5" "$T/array.h5"
before=$(ls "$T" | sort)
job=$(CITSIM="$CITSIM" sbatch --parsable --array=1 "$SRC/scripts/slurm/sweep_array.sbatch" \
        "$SPEC" "$T/array.h5" --set model.level=0d 2>&1)
job=${job%%;*}
state=$(wait_job "$job")
after=$(ls "$T" | sort)
new_files=$(comm -13 <(echo "$before") <(echo "$after") | grep -v '^citsim-sweep-.*\.out$' | tr '\n' ' ')
if [ "$state" = "FAILED" ] && [ -z "$new_files" ] && grep -q "CITSIM_SHARDS" "$T"/citsim-sweep-"$job"_1.out; then
  pass "a task resubmitted alone without CITSIM_SHARDS is refused and writes nothing"
else
  fail "task 1 resubmitted without CITSIM_SHARDS: job $state, new files '$new_files'" \
       "$(cat "$T"/citsim-sweep-"$job"_1.out 2>/dev/null | tail -n 5)"
fi

# A sweep with a run that fails (8 sessions 60 days apart outlast the course): its array task
# exits 4, and the merge job must still run and write the complete record (it exits 4 too).
cat >"$T/failing.toml" <<SPEC
base = "$SRC/configs/default.toml"
set = ["model.level=0d"]
[[axis]]
key = "sessions"
values = [2, 8]
[[axis]]
key = "interval_days"
values = [20, 60]
SPEC
submitted=$(CITSIM="$CITSIM" bash "$SRC/scripts/slurm/submit.sh" "$T/failing.toml" "$T/failing.h5" 2 2>&1)
merge=$(echo "$submitted" | sed -n 's/^array job \([0-9]*\) .*merge job \([0-9]*\).*/\2/p')
merge_state=$(wait_job "$merge")
if [ -f "$T/failing.h5" ] && /usr/bin/python3 -c "
import sys, h5py
with h5py.File(sys.argv[1], 'r') as f:
    sys.exit(0 if list(f['/sweep/status'][...]) == [1, 1, 1, 2] else 1)" "$T/failing.h5"; then
  pass "a shard with a failed run does not stop the merge job: the record is written (merge job $merge_state)"
else
  fail "the merge job after a failed run ended as '$merge_state' without the merged file" \
       "$(cat "$T"/slurm-logs/citsim-merge-*.out 2>/dev/null | tail -n 20)"
fi
report_totals