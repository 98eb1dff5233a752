#!/bin/sh
# make check-asan: build everything with AddressSanitizer + UndefinedBehaviorSanitizer
# in a separate tree and run the unit tests, the corpus and the integration tests
# (a real apache2, not instrumented itself, with the ASan runtime preloaded and the
# instrumented mod_disclosure.so loaded). Any sanitizer report fails the run.
#
# Usage: check-asan.sh SRCDIR [BUILDDIR]   (BUILDDIR default SRCDIR/build-asan)
# Environment: CC (default gcc), ASAN_JOBS (make -j, default nproc),
#   PYTEST_ARGS (extra pytest arguments, e.g. "-k serve"),
#   ASAN_TESTS (what to run: "unit integration", the default, or either).
set -eu
src=$(cd "${1:?usage: check-asan.sh SRCDIR [BUILDDIR]}" && pwd)
out=${2:-$src/build-asan}
CC=${CC:-gcc}
jobs=${ASAN_JOBS:-$(nproc)}
t0=$(date +%s)
SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"

# The source tree is configured in place, which rules out a VPATH build from it:
# copy the tracked (and new, not ignored) files instead, only those that differ, and
# mark those new so make rebuilds what depends on them.
command -v git >/dev/null && git -C "$src" rev-parse --git-dir >/dev/null 2>&1 ||
  { echo "check-asan: $src is not a git checkout" >&2; exit 2; }
mkdir -p "$out"
out=$(cd "$out" && pwd)
git -C "$src" -c core.quotepath=off ls-files --cached --others --exclude-standard | while IFS= read -r f; do
  [ -f "$src/$f" ] && ! cmp -s "$src/$f" "$out/$f" || continue
  mkdir -p "$(dirname "$out/$f")"
  cp -p "$src/$f" "$out/$f"
  touch "$out/$f"
done

cd "$out"
flags="CC=$CC CFLAGS=-g -O1 $SAN LDFLAGS=$SAN --without-mimalloc"
if [ ! -x configure ] || [ ! -f build-aux/tap-driver.sh ]; then ./autogen.sh >/dev/null; fi
if [ ! -f Makefile ] || [ "$(cat .asan-flags 2>/dev/null)" != "$flags" ]; then
  ./configure -q --enable-werror --without-mimalloc CC="$CC" CFLAGS="-g -O1 $SAN" LDFLAGS="$SAN"
  echo "$flags" > .asan-flags
fi
make -s -j"$jobs"
t1=$(date +%s)

libasan=$($CC -print-file-name=libasan.so)
[ -f "$libasan" ] || { echo "check-asan: no libasan.so for $CC" >&2; exit 2; }
logs=$out/sanitizer-logs
rm -rf "$logs"
mkdir -p "$logs"
chmod 1777 "$logs"   # httpd's children write here as www-data

# exitcode 23: a sanitizer report must not pass for the CLI's exit 1 (findings).
# Reports also go to files, so a run whose exit status a test ignores still fails.
ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:exitcode=23:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1:log_path=$logs/asan"
# gcc's UBSan is a runtime apart from ASan's and ignores log_path: its reports go to
# stderr (for httpd, error_log; pyhttpd looks there too).
UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=23"
LSAN_OPTIONS="suppressions=$src/tests/sanitizer/lsan.supp:print_suppressions=0"
export ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS
# pyhttpd: preload the runtime into apache2 and keep its reports with the server
DISCLOSURE_SANITIZER_PRELOAD=$libasan
DISCLOSURE_SANITIZER_LOGDIR=$logs
DISCLOSURE=$out/disclosure
DISCLOSURE_MODULE=$out/mod_disclosure/.libs/mod_disclosure.so
export DISCLOSURE_SANITIZER_PRELOAD DISCLOSURE_SANITIZER_LOGDIR DISCLOSURE DISCLOSURE_MODULE

status=0
t2=$t1; t3=$t1
case " ${ASAN_TESTS:-unit integration} " in *" unit "*)
  echo "check-asan: unit tests and corpus"
  make -s -j"$jobs" check >check.out 2>&1 || status=1
  grep -E '^# (TOTAL|PASS|FAIL|XFAIL|XPASS|SKIP|ERROR):' check.out
  [ $status -eq 0 ] || { grep -h -B2 -A30 '^not ok' tests/unit/*.log tests/corpus/*.log | head -200; tail -30 check.out; }
  t2=$(date +%s); t3=$t2
esac
case " ${ASAN_TESTS:-unit integration} " in *" integration "*)
  echo "check-asan: integration tests (apache2 with $libasan preloaded)"
  # The load and fault tests run at full size in the plain run; here they
  # look for memory errors under concurrency, which a shorter run finds as
  # well (the 20-minute CI budget). Set the variables to override.
  : "${DISCLOSURE_LOAD_SECONDS:=20}" "${DISCLOSURE_LOAD_CLIENTS:=50}" "${DISCLOSURE_FAULT_SECONDS:=10}"
  export DISCLOSURE_LOAD_SECONDS DISCLOSURE_LOAD_CLIENTS DISCLOSURE_FAULT_SECONDS
  # shellcheck disable=SC2086
  /usr/bin/python3 -m pytest -q -p no:cacheprovider -m "not no_asan" ${PYTEST_ARGS:-} "$out/tests/integration" || status=1
  t3=$(date +%s)
esac
echo "check-asan: build $((t1 - t0)) s, unit tests and corpus $((t2 - t1)) s, integration tests $((t3 - t2)) s"

reports=$(grep -l -r -E 'runtime error:|ERROR: [A-Za-z]+Sanitizer' "$logs" | sort)
if [ -n "$reports" ]; then
  status=1
  echo "check-asan: sanitizer reports:"
  for f in $reports; do echo "==> $f"; head -80 "$f"; done
fi
[ $status -eq 0 ] && echo "check-asan: clean" || echo "check-asan: FAILED"
exit $status
