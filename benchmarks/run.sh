#!/usr/bin/env bash
# Builds the benchmarks, runs every JMH benchmark and the memory measurement, and writes
# benchmarks/RESULTS.md: the commit and environment, a table per scenario with each score and its
# ratio to every peer, and whether each target holds, is missed or is inconclusive (its error band
# straddles the target), computed from this run's numbers.
#
# Each benchmark runs in three forks, one per pass over all the benchmarks, so that the forks of
# ours and of each peer interleave and a shared machine's drift hits both sides of a ratio.
#
#   benchmarks/run.sh            quick: 3 passes of 3 x 1 s warm-up, 5 x 1 s measurement (~25 minutes on 2 cores)
#   benchmarks/run.sh --full     3 passes of 5 x 2 s warm-up, 10 x 2 s measurement (about an hour)
#   benchmarks/run.sh --no-build reuse benchmarks/target/benchmarks.jar as it is
#   benchmarks/run.sh -- ARGS    pass ARGS on to JMH (a benchmark regex, -prof jfr, ...)
#
# Raw results stay in benchmarks/target/results/: jmh-pass-N.json, jmh-pass-N.log, memory.tsv.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=quick
build=true
jmh_extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --full) mode=full ;;
    --quick) mode=quick ;;
    --no-build) build=false ;;
    --) shift; jmh_extra=("$@"); break ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "Unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done

java_major() {
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | cut -d. -f1
}

# The benchmarks need JDK 25: use the machine's Temurin 25 when the default java is older.
if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
  current=$(java_major "$JAVA_HOME/bin/java")
else
  current=$(java_major "$(command -v java)")
fi
if [ "${current:-0}" -lt 25 ]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
  export PATH="$JAVA_HOME/bin:$PATH"
fi
echo "Using JAVA_HOME=${JAVA_HOME:-<default>} ($(java -version 2>&1 | head -1))"

if [ "$build" = true ]; then
  mvn -B -ntp -pl benchmarks -am package -DskipTests
fi

jar=benchmarks/target/benchmarks.jar
out=benchmarks/target/results
mkdir -p "$out"

passes=3
case "$mode" in
  quick) settings=(-f 1 -wi 3 -w 1s -i 5 -r 1s) ;;
  full) settings=(-f 1 -wi 5 -w 2s -i 10 -r 2s) ;;
esac
benchmarks='dev\.scheduler\.benchmarks\..*'

# What is measured: the commit, and whether the work tree differs from it (RESULTS.md aside).
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain -- . ':!benchmarks/RESULTS.md' 2>/dev/null)" ]; then
  commit="$commit with uncommitted changes"
fi

# The forked JVMs get their flags (--add-opens for our carrier, native access for epoll) from each
# benchmark's @Fork; this JVM only plans the run and needs none of them.
rm -f "$out"/jmh*.json "$out"/jmh*.log
files=()
for pass in $(seq 1 "$passes"); do
  echo "JMH ($mode), pass $pass of $passes: ${settings[*]} ${jmh_extra[*]:-}"
  java -jar "$jar" "${settings[@]}" -rf json -rff "$out/jmh-pass-$pass.json" "${jmh_extra[@]:-$benchmarks}" \
    | tee "$out/jmh-pass-$pass.log"
  files+=("$out/jmh-pass-$pass.json")
done

echo "Memory: 100000 pending items per case, one JVM per case"
java --add-opens=java.base/java.lang=ALL-UNNAMED --enable-native-access=ALL-UNNAMED -cp "$jar" \
  dev.scheduler.benchmarks.MemoryFootprint 100000 --tsv "$out/memory.tsv"

command="benchmarks/run.sh"
[ "$mode" = full ] && command="benchmarks/run.sh --full"
java -cp "$jar" dev.scheduler.benchmarks.ResultsReport --jmh "$(IFS=,; echo "${files[*]}")" \
  --memory "$out/memory.tsv" --out benchmarks/RESULTS.md --mode "$mode" --command "$command" \
  --memory-count 100000 --commit "$commit"
