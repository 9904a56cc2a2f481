#!/bin/bash
# Submit a sweep as a SLURM job array of N shards plus a merge job that runs when all have ended.
#
#   scripts/slurm/submit.sh SPEC.toml OUT.h5 N [citsim sweep options]
#
# Prints the two job ids. Extra sbatch options (partition, time, account) go in SBATCH_* variables
# or in the #SBATCH lines of the two scripts beside this one, e.g.
#   SBATCH_PARTITION=short SBATCH_TIMELIMIT=01:00:00 scripts/slurm/submit.sh ...
# The merge waits for every task to end, not to succeed: a task whose sweep had failed runs exits 4
# and its shard belongs in the record; a task that did not finish (time limit) leaves no shard, and
# the merge says which is missing. Resubmit that task alone: sbatch --array=<i> sweep_array.sbatch
# ... (it resumes), then sbatch merge.sbatch OUT.h5 N.
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
array=$(sbatch --parsable --array="0-$((n - 1))" "$here/sweep_array.sbatch" "$spec" "$out" "$@")
array=${array%%;*}
merge=$(sbatch --parsable --dependency="afterany:$array" "$here/merge.sbatch" "$out" "$n")
echo "array job $array ($n tasks), merge job $merge -> $out"
