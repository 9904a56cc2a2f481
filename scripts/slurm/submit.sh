#!/bin/bash
# Submit a sweep as a SLURM job array of N shards plus a merge job that runs when all have ended.
#
#   scripts/slurm/submit.sh SPEC.toml OUT.h5 N [citsim sweep options]
#
# Prints the two job ids. Settings, from the environment (unset: the #SBATCH defaults of the two
# scripts beside this one, or sbatch's own SBATCH_* variables):
#   CITSIM_TIME          time limit of each array task, e.g. 02:00:00   (default 04:00:00)
#   CITSIM_MEM_PER_CPU   memory of each array task per CPU, e.g. 500M  (default 1G)
#   CITSIM_MERGE_TIME    time limit of the merge job                   (default 01:00:00)
#   CITSIM_MERGE_MEM     memory of the merge job per CPU                (default 2G)
#   CITSIM_LOG_DIR       directory of the jobs' logs, created if missing (default: slurm-logs/
#                        beside OUT.h5)
#   CITSIM               the citsim binary (default: citsim on PATH)
# Partition, account and the like go in SBATCH_* variables, e.g.
#   SBATCH_PARTITION=short CITSIM_TIME=01:00:00 scripts/slurm/submit.sh ...
# Every task gets CITSIM_SHARDS=N, so a task resubmitted alone still writes its own shard.
# The merge waits for every task to end, not to succeed: a task whose sweep had failed runs exits 4
# and its shard belongs in the record; a task that did not finish (time limit) leaves no shard, and
# the merge says which is missing. Resubmit that task alone (it resumes), then the merge:
#   CITSIM_SHARDS=N sbatch --array=<i> scripts/slurm/sweep_array.sbatch SPEC.toml OUT.h5 [options]
#   sbatch scripts/slurm/merge.sbatch OUT.h5 N
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ $# -lt 3 ]; then
  echo "usage: $0 SPEC.toml OUT.h5 N [citsim sweep options]" >&2
  exit 2
fi
spec=$1
out=$2
n=$3
shift 3
case "$n" in
  '' | *[!0-9]* | 0*) echo "submit.sh: N = '$n' must be a whole number >= 1 (the number of shards)" >&2; exit 2 ;;
esac
logs=${CITSIM_LOG_DIR:-$(dirname "$out")/slurm-logs}
mkdir -p "$logs"
task_options=(--output="$logs/citsim-sweep-%A_%a.out")
[ -n "${CITSIM_TIME:-}" ] && task_options+=(--time="$CITSIM_TIME")
[ -n "${CITSIM_MEM_PER_CPU:-}" ] && task_options+=(--mem-per-cpu="$CITSIM_MEM_PER_CPU")
merge_options=(--output="$logs/citsim-merge-%j.out")
[ -n "${CITSIM_MERGE_TIME:-}" ] && merge_options+=(--time="$CITSIM_MERGE_TIME")
[ -n "${CITSIM_MERGE_MEM:-}" ] && merge_options+=(--mem-per-cpu="$CITSIM_MERGE_MEM")
# The tasks' environment is what sbatch would export anyway (all of it, or SBATCH_EXPORT), plus
# the shard count.
case "${SBATCH_EXPORT:-ALL}" in
  NONE | NIL) task_options+=(--export="CITSIM_SHARDS=$n") ;;
  *) task_options+=(--export="${SBATCH_EXPORT:-ALL},CITSIM_SHARDS=$n") ;;
esac
array=$(sbatch --parsable --array="0-$((n - 1))" "${task_options[@]}" "$here/sweep_array.sbatch" "$spec" "$out" "$@")
array=${array%%;*}
merge=$(sbatch --parsable --dependency="afterany:$array" "${merge_options[@]}" "$here/merge.sbatch" "$out" "$n")
echo "array job $array ($n tasks), merge job $merge -> $out (logs in $logs)"
