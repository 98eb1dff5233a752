#!/bin/sh
# Run each libFuzzer target, one after the other, at nice 19, with its
# seeds, dictionary, a hang timeout and LeakSanitizer on (libFuzzer's
# default with ASan), for FUZZ_TIME seconds or FUZZ_RUNS executions.
#   run.sh SRCDIR OUT [TARGET...]        (targets: check policy sitemap robots)
# New inputs go to OUT/corpus/TARGET (the committed seeds stay as they are);
# a crash, hang or leak leaves OUT/crash-TARGET-* (or timeout-/leak-/oom-)
# and makes the run fail: fix it, then add the input to
# tests/fuzz/corpus/TARGET/ so that `make check` replays it.
# Logs: OUT/TARGET.log (with jobs, OUT/jobs-TARGET/fuzz-N.log, one a job).
# Environment:
#   FUZZ_TIME  seconds per target (default 60; 0 = no limit, with FUZZ_RUNS)
#   FUZZ_RUNS  executions per target in total, split evenly across the jobs
#   FUZZ_JOBS  parallel jobs (default 1): independent libFuzzer processes
#              sharing OUT/corpus/TARGET; the summary adds up their runs
#   FUZZ_ARGS  more libFuzzer flags
set -u
src=$(cd "$1" && pwd)
mkdir -p "$2"
out=$(cd "$2" && pwd)
shift 2
[ $# -gt 0 ] || set -- check policy sitemap robots
time=${FUZZ_TIME:-60}
runs=${FUZZ_RUNS:-}
jobs=${FUZZ_JOBS:-1}
status=0

for t in "$@"; do
    case $t in
    # check: 16 KiB, not 64: an execution costs about its input's size (the
    # HTML parser under ASan), the corpus drifts towards the limit, and the
    # parser and extractor paths are reached by small pages; what only large
    # pages reach (size limits, deep nesting, long runs of text) is covered
    # by replaying tests/corpus/hostile in make check and the unit tests.
    check) maxlen=16384 seeds="$src/tests/corpus" ;;
    policy) maxlen=32768 seeds="$src/conf" ;;
    # the sitemap parser is small (about 60 edges): inputs past a few KB
    # only repeat <url> entries, and they made executions 3 times slower
    sitemap) maxlen=4096 seeds="" ;;
    robots) maxlen=4096 seeds="" ;;
    *) echo "run.sh: unknown target $t" >&2; exit 2 ;;
    esac
    mkdir -p "$out/corpus/$t"
    limit="-max_total_time=$time"
    if [ -n "$runs" ]; then
        limit="$limit -runs=$(( (runs + jobs - 1) / jobs ))"
    fi
    # artifacts present before this run are not this run's failures
    artifacts() {
        for a in "$out"/crash-* "$out"/leak-* "$out"/timeout-* "$out"/oom-*; do
            [ -e "$a" ] && basename "$a"
        done | sort
    }
    artifacts >"$out/.artifacts-before"
    logs="$out/$t.log"
    par=""
    if [ "$jobs" -gt 1 ]; then
        # -jobs writes fuzz-N.log into the current directory: one per target
        rm -rf "$out/jobs-$t"
        mkdir -p "$out/jobs-$t"
        par="-jobs=$jobs -workers=$jobs"
    fi
    bound="${time}s"
    [ "$time" = 0 ] && bound="no time limit"
    echo "fuzz_$t: ${runs:+$runs runs, }$bound, $jobs job(s) (log $out/$t.log)"
    # shellcheck disable=SC2086
    (
        if [ "$jobs" -gt 1 ]; then cd "$out/jobs-$t" || exit 2; fi
        ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1} \
        UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
        exec nice -n 19 "$out/fuzz_$t" $limit -timeout=10 -max_len="$maxlen" \
            -rss_limit_mb=2048 -dict="$src/tests/fuzz/dict/$t.dict" -print_final_stats=1 \
            -artifact_prefix="$out/" $par ${FUZZ_ARGS:-} \
            "$out/corpus/$t" "$src/tests/fuzz/corpus/$t" $seeds
    ) >"$out/$t.log" 2>&1
    rc=$?
    [ "$jobs" -gt 1 ] && logs=$(ls "$out/jobs-$t"/fuzz-*.log 2>/dev/null)

    # executions: each job's final count (print_final_stats), else its last
    # status line (a job killed before its end prints no stats)
    total=0
    for l in $logs; do
        n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$l" | tail -1)
        [ -n "$n" ] || n=$(sed -n 's/^#\([0-9][0-9]*\).*/\1/p' "$l" | tail -1)
        n=${n:-0}
        [ "$jobs" -gt 1 ] && echo "  $(basename "$l"): $n runs"
        total=$((total + n))
    done
    # shellcheck disable=SC2086
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' $logs | awk '{s += $1} END {print s + 0}')
    echo "fuzz_$t: $total runs in total, $rate exec/s (sum over jobs)"

    new=$(artifacts | comm -13 "$out/.artifacts-before" -)
    rm -f "$out/.artifacts-before"
    # shellcheck disable=SC2086
    errors=$(grep -h -E '^==[0-9]+==ERROR|^SUMMARY: |runtime error|^fuzz: |Test unit written|ERROR: libFuzzer' $logs | sort -u | head -10)
    if [ $rc -ne 0 ] || [ -n "$new" ] || [ -n "$errors" ]; then
        echo "fuzz_$t: FAILED (exit $rc)"
        [ -n "$errors" ] && printf '%s\n' "$errors"
        for a in $new; do echo "  artifact: $out/$a"; done
        status=1
    fi
done
exit $status
