#!/bin/sh
# Run each libFuzzer target for FUZZ_TIME seconds (default 60), one after
# the other, at nice 19, with its seeds, dictionary, a hang timeout and
# LeakSanitizer on (libFuzzer's default with ASan).
#   run.sh SRCDIR OUT [TARGET...]        (targets: check policy sitemap robots)
# New inputs go to OUT/corpus/TARGET (the committed seeds stay as they are);
# a crash, hang or leak leaves OUT/crash-TARGET-* (or timeout-/leak-) and
# makes the run fail: fix it, then add the input to tests/fuzz/corpus/TARGET/
# so that `make check` replays it. Logs: OUT/TARGET.log.
# Environment: FUZZ_TIME, FUZZ_JOBS (parallel jobs, default 1), FUZZ_ARGS.
set -u
src=$(cd "$1" && pwd)
out=$2
shift 2
[ $# -gt 0 ] || set -- check policy sitemap robots
time=${FUZZ_TIME:-60}
jobs=${FUZZ_JOBS:-1}
status=0
for t in "$@"; do
    case $t in
    check) maxlen=65536 seeds="$src/tests/corpus" ;;
    policy) maxlen=32768 seeds="$src/conf" ;;
    sitemap) maxlen=16384 seeds="" ;;
    robots) maxlen=4096 seeds="" ;;
    *) echo "run.sh: unknown target $t" >&2; exit 2 ;;
    esac
    mkdir -p "$out/corpus/$t"
    par="" # -jobs (even 1) makes libFuzzer fork and log to ./fuzz-N.log
    [ "$jobs" -gt 1 ] && par="-jobs=$jobs -workers=$jobs"
    echo "fuzz_$t: ${time}s (log $out/$t.log)"
    # shellcheck disable=SC2086
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1} \
    UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    nice -n 19 "$out/fuzz_$t" -max_total_time="$time" -timeout=10 -max_len="$maxlen" \
        -rss_limit_mb=2048 -dict="$src/tests/fuzz/dict/$t.dict" -print_final_stats=1 \
        -artifact_prefix="$out/" $par ${FUZZ_ARGS:-} \
        "$out/corpus/$t" "$src/tests/fuzz/corpus/$t" $seeds >"$out/$t.log" 2>&1
    rc=$?
    if [ "$jobs" -gt 1 ]; then cat fuzz-*.log >>"$out/$t.log" 2>/dev/null; rm -f fuzz-*.log; fi
    grep -E '^stat::number_of_executed_units|^stat::average_exec_per_sec|^#[0-9]+.*DONE' "$out/$t.log" | tail -3
    if [ $rc -ne 0 ]; then
        echo "fuzz_$t: FAILED (exit $rc):"
        grep -E 'ERROR|SUMMARY|runtime error|fuzz:|Test unit written' "$out/$t.log" | head -10
        status=1
    fi
done
exit $status
