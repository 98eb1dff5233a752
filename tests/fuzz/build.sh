#!/bin/sh
# Build the libFuzzer targets with clang: the library sources (and the CLI's
# sitemap and robots.txt parsers) compiled again with
# -fsanitize=fuzzer-no-link,address,undefined, then each target linked with
# -fsanitize=fuzzer. Objects and binaries go to OUT (default tests/fuzz/out
# under the build directory); sources newer than their object are rebuilt.
#   build.sh SRCDIR BUILDDIR [OUT [TARGET...]]   (default: every target)
set -eu
src=$(cd "$1" && pwd)
build=$(cd "$2" && pwd)
out=${3:-$build/tests/fuzz/out}
[ $# -gt 3 ] && shift 3 || set -- check policy sitemap robots
CC=${FUZZ_CC:-clang}
command -v "$CC" >/dev/null || { echo "build.sh: $CC not found (apt-get install clang libclang-rt-14-dev)" >&2; exit 2; }
mkdir -p "$out/obj"
embedded=$build/libdisclosure/src/embedded.c
[ -f "$embedded" ] || { echo "build.sh: $embedded missing: run make first" >&2; exit 2; }

pcflags=$(pkg-config --cflags libxml-2.0 jansson sqlite3 libcrypto libcurl zlib)
pclibs=$(pkg-config --libs libxml-2.0 jansson sqlite3 libcrypto libcurl zlib)
san="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
cflags="-std=c11 -g -O1 -Wall -Wextra -Werror -D_GNU_SOURCE $san -fsanitize=fuzzer-no-link
  -I$src/libdisclosure/include -I$src/libdisclosure/src -I$build -DDSC_DATADIR=\"/nonexistent\" $pcflags"

# newest header: a changed header rebuilds everything
hdr=$(ls -t "$src"/libdisclosure/include/*.h "$src"/libdisclosure/src/*.h "$src"/libdisclosure/src/*.inc \
      "$src"/cli/*.h "$src"/tests/fuzz/*.h | head -1)

# compile SOURCE -> $out/obj/NAME.o when stale; prints the object
obj() {
    o=$out/obj/$(basename "$1" .c).o
    if [ ! -f "$o" ] || [ "$1" -nt "$o" ] || [ "$hdr" -nt "$o" ]; then
        echo "  CC(fuzz) $(basename "$1")" >&2
        # shellcheck disable=SC2086
        $CC $cflags -c "$1" -o "$o"
    fi
    echo "$o"
}

lib=""
for f in "$src"/libdisclosure/src/*.c; do
    [ "$(basename "$f")" = embedded.c ] || lib="$lib $(obj "$f")"
done
lib="$lib $(obj "$embedded")"
cli_robots=$(obj "$src/cli/scan_robots.c")
cli_sitemap="$(obj "$src/cli/scan_sitemap.c") $(obj "$src/cli/scan_fetch.c") $cli_robots"

link() { # name objects...
    name=$1
    shift
    echo "  LD(fuzz) $name" >&2
    # shellcheck disable=SC2086
    $CC $san -fsanitize=fuzzer -o "$out/$name" "$@" $pclibs -lm
}
for t in "$@"; do
    case $t in
    check | policy) link "fuzz_$t" "$(obj "$src/tests/fuzz/fuzz_$t.c")" $lib ;;
    # log.o: dsc_global_init, which silences libxml2 as the command does
    sitemap) link fuzz_sitemap "$(obj "$src/tests/fuzz/fuzz_sitemap.c")" $cli_sitemap \
                  "$(obj "$src/libdisclosure/src/log.c")" ;;
    robots) link fuzz_robots "$(obj "$src/tests/fuzz/fuzz_robots.c")" $cli_robots ;;
    *) echo "build.sh: unknown target $t" >&2; exit 2 ;;
    esac
done
