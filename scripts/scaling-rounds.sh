#!/usr/bin/env bash
# Engine scaling as ratios of neighbouring runs: 2 threads / 1 and 8 threads / 2 (issue 16's goals: >= 1.8, >= 0.95).
#   scripts/scaling-rounds.sh [ROUNDS] [ALLOCATORS] [CORPORA] [OUT] [JMH_ARG...]
#     ROUNDS      rounds (default: 4)
#     ALLOCATORS  comma-separated (default: zbud,zsmalloc)
#     CORPORA     comma-separated: jvm (the JDK's files) or corpus files, e.g. scripts/db-corpus.sh's (default: jvm)
#     OUT         directory for each run's JMH log and JSON (default: target/scaling-rounds)
#     JMH_ARG     passed to JMH after the script's own, e.g. -prof comp
# One JMH run of ZcacheScalingBenchmark's 1, 2 and 8 threads, one fork each, per allocator and corpus, round after
# round, with workingSet=total. A single JMH run over every configuration runs each thread count for all of them
# before the next, so its 1- and 8-thread figures are ten minutes apart, and a machine that drifts meanwhile (a VM
# whose host is busy) moves the ratio. Here the three figures of a ratio are a minute or two apart, and each round
# gives one ratio; the summary is the median over the rounds, with the lowest and highest.
# Runs through ./tmem4j bench, which finds the JDK and builds the benchmarks when they are out of date.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROUNDS=${1:-4}
ALLOCATORS=${2:-zbud,zsmalloc}
CORPORA=${3:-jvm}
OUT=${4:-$ROOT/target/scaling-rounds}
shift $(( $# < 4 ? $# : 4 ))

die() { echo "scaling-rounds: $*" >&2; exit 2; }
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive integer, was '$ROUNDS'"
IFS=, read -r -a allocators <<< "$ALLOCATORS"
IFS=, read -r -a corpora <<< "$CORPORA"
for corpus in "${corpora[@]}"; do
  [ "$corpus" = jvm ] || [ -f "$corpus" ] || die "corpus '$corpus' is neither jvm nor a file"
done
mkdir -p "$OUT"

# "allocator corpus round 1-thread 2-threads 8-threads" per line, from JMH's summary lines (the score comes before
# "±", or before the unit when one iteration gives no error)
results=$OUT/results.txt
: > "$results"
for round in $(seq 1 "$ROUNDS"); do
  for allocator in "${allocators[@]}"; do
    for corpus in "${corpora[@]}"; do
      name=$allocator-$(basename "$corpus" .pages)-$round
      echo "scaling-rounds: round $round of $ROUNDS, $allocator, $corpus" >&2
      "$ROOT/tmem4j" bench 'ZcacheScalingBenchmark.(mix1Thread|mix2Threads|mix8Threads)$' -f 1 \
        -p allocator="$allocator" -p corpus="$corpus" -p workingSet=total -rf json -rff "$OUT/$name.json" "$@" \
        > "$OUT/$name.log" 2>&1 \
        || die "JMH failed; see $OUT/$name.log"
      awk -v a="$allocator" -v c="$corpus" -v r="$round" '
        function score(  i) { for (i = 1; i <= NF; i++) if ($i == "±") return $(i-1); return $(NF-1) }
        /^ZcacheScalingBenchmark\.mix1Thread / { one = score() }
        /^ZcacheScalingBenchmark\.mix2Threads / { two = score() }
        /^ZcacheScalingBenchmark\.mix8Threads / { eight = score() }
        END { if (one == "" || two == "" || eight == "") exit 1; print a, c, r, one, two, eight }' \
        "$OUT/$name.log" >> "$results" || die "no scores in $OUT/$name.log"
      tail -n1 "$results" | awk '{ printf "  ops/s 1: %.0f  2: %.0f  8: %.0f  2/1: %.2f  8/2: %.2f\n", $4, $5, $6, $5/$4, $6/$5 }' >&2
    done
  done
done

# median (lowest-highest) of the numbers on stdin, one per line
summary() {
  sort -n | awk '{ v[NR] = $1 } END { m = NR % 2 ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2;
    printf "%.2f (%.2f-%.2f)", m, v[1], v[NR] }'
}

# per allocator and corpus: the median over the rounds of each ratio, then every round's ratios
echo "allocator corpus rounds: 2/1 median (lowest-highest), 8/2 median (lowest-highest); ratios per round"
for allocator in "${allocators[@]}"; do
  for corpus in "${corpora[@]}"; do
    ratios=$(awk -v a="$allocator" -v c="$corpus" '$1 == a && $2 == c { printf "%.4f %.4f\n", $5/$4, $6/$5 }' \
      "$results")
    printf '%s %s %s: 2/1 %s, 8/2 %s; %s\n' "$allocator" "$corpus" "$ROUNDS" \
      "$(cut -d' ' -f1 <<< "$ratios" | summary)" "$(cut -d' ' -f2 <<< "$ratios" | summary)" \
      "$(awk '{ printf "%s%.2f/%.2f", (NR > 1 ? " " : ""), $1, $2 }' <<< "$ratios")"
  done
done
