#!/bin/sh
# Issue 15's benchmark: `tmpctl diagnose DIR` over a tree of 10,000 files
# that 3 processes hold parts of, against `lsof +D DIR` and `fuser -m DIR`
# in the same hyperfine run. Needs hyperfine, lsof and psmisc (fuser).
#
# usage: bench/tree_holders.sh TMPCTL HOLD_FILE [SCRATCH]
#   TMPCTL     the tmpctl to measure (build/linux/bin/tmpctl)
#   HOLD_FILE  tests' helper (build/linux/bin/hold_file)
#   SCRATCH    an empty directory of your own (default: a new one under /tmp)
set -eu
tmpctl=$1
hold_file=$2
scratch=${3:-$(mktemp -d /tmp/tmpctl-bench.XXXXXXXX)}
tree="$scratch/tree"
mkdir -p "$tree"
# 100 directories of 100 files.
i=0
while [ $i -lt 100 ]; do
  mkdir "$tree/d$i"
  (cd "$tree/d$i" && j=0 && while [ $j -lt 100 ]; do : > "f$j"; j=$((j + 1)); done)
  i=$((i + 1))
done
# Three holders: two open files, one working directory.
mkdir -p "$scratch/r1" "$scratch/r2" "$scratch/r3"
"$hold_file" "$tree/d3/f7" "$scratch/r1/ready" &
"$hold_file" "$tree/d50/f50" "$scratch/r2/ready" &
"$hold_file" --cwd "$tree/d99" "$scratch/r3/ready" &
while [ ! -s "$scratch/r1/ready" ] || [ ! -s "$scratch/r2/ready" ] || [ ! -s "$scratch/r3/ready" ]; do
  sleep 0.1
done
"$tmpctl" diagnose --json "$tree" | grep -o '"pid":[0-9]*' | sort -u
hyperfine -N -i --warmup 3 --runs "${RUNS:-20}" \
  "$tmpctl diagnose --json $tree" \
  "lsof +D $tree" \
  "fuser -m $tree" \
  --export-markdown "$scratch/results.md"
cat "$scratch/results.md"
rm -f "$scratch/r1/ready" "$scratch/r2/ready" "$scratch/r3/ready"
wait
rm -r "$tree"
