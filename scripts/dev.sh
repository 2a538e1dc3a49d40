#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The README's two commands. Each installs whatever is missing on a Debian 12
# machine (Debian packages, the project's Python virtual environment), then
# builds and
#   run   runs the main job: the otaprio CLI on the examples, then the
#         rollout simulator on its default fleet of a million devices;
#   test  runs every test: unit, ABI, header, symbol, golden vectors, CLI,
#         fuzz-corpus replay, benchmark quick mode and Doxygen, in a gcc
#         build (the Python bindings' tests too, and the Go bindings' under
#         the race detector) and again in a clang ASan+UBSan build with
#         libFuzzer (both bindings' tests too), and the concurrency suite
#         under ThreadSanitizer.
# Both are idempotent and quick when nothing is missing.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

# Build and test tools, all from Debian 12.
packages=(
    meson ninja-build pkg-config gcc g++ binutils
    clang libclang-rt-14-dev clang-format
    libxxhash-dev libcmocka-dev libjansson-dev libcsv-dev
    libboost-graph-dev
    doxygen abigail-tools gcovr
    python3 python3-venv
)

say() { printf '==> %s\n' "$*" >&2; }

# Runs a command, showing its output only when it fails.
quietly() {
    local log
    log=$(mktemp)
    if ! "$@" >"$log" 2>&1; then
        cat "$log" >&2
        rm -f "$log"
        say "failed: $*"
        return 1
    fi
    rm -f "$log"
}

ensure_packages() {
    local missing=() pkg
    for pkg in "${packages[@]}"; do
        if [ "$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null)" != installed ]; then
            missing+=("$pkg")
        fi
    done
    if [ ${#missing[@]} -gt 0 ]; then
        say "installing ${missing[*]}"
        local sudo=()
        [ "$(id -u)" = 0 ] || sudo=(sudo)
        "${sudo[@]}" apt-get update -q
        DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q \
            --no-install-recommends "${missing[@]}"
    fi
}

# The project virtual environment, with the packages pinned in
# requirements.txt; rebuilt only when that file changes.
ensure_venv() {
    local stamp=.venv/requirements.sha256 want
    want=$(sha256sum requirements.txt | cut -d' ' -f1)
    if [ ! -x .venv/bin/python ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        say "preparing the Python virtual environment in .venv"
        python3 -m venv .venv
        .venv/bin/python -m pip install -q --disable-pip-version-check \
            -r requirements.txt
        echo "$want" > "$stamp"
    fi
    export PATH="$root/.venv/bin:$PATH"
    export VIRTUAL_ENV="$root/.venv"
}

# Go comes with the machine (Debian 12's golang is 1.19, older than the
# Go 1.21 that bindings/go needs); find it where the official tarball puts
# it when it is not on PATH.
ensure_go() {
    if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
        export PATH="$PATH:/usr/local/go/bin"
    fi
    if ! command -v go >/dev/null 2>&1; then
        say "the Go bindings' tests need Go 1.21 or newer on PATH"
        return 1
    fi
}

# configure DIR [meson options...]: set up once, then only update options.
configure() {
    local dir=$1
    shift
    if [ -f "$dir/build.ninja" ]; then
        meson configure "$dir" "$@" >/dev/null
    else
        meson setup "$dir" "$@" >/dev/null
    fi
}

gcc_build() {
    CC=gcc CXX=g++ configure build -Dwerror=true -Dcli=enabled \
        -Dpython_checks=enabled -Dabi_check=enabled -Ddocs=enabled -Dbench=true
    quietly meson compile -C build
}

sanitize_build() {
    CC=clang CXX=clang++ configure build-sanitize -Dwerror=true \
        -Db_sanitize=address,undefined -Db_lundef=false -Dfuzzing=libfuzzer \
        -Dcli=enabled -Dpython_checks=enabled -Dabi_check=disabled \
        -Ddocs=disabled -Dbench=false
    quietly meson compile -C build-sanitize
}

# ThreadSanitizer needs its own build; it runs the concurrency suite.
tsan_build() {
    CC=clang CXX=clang++ configure build-tsan -Dwerror=true \
        -Db_sanitize=thread -Db_lundef=false -Dcli=disabled \
        -Dpython_checks=disabled -Dabi_check=disabled -Ddocs=disabled \
        -Dbench=false
    quietly meson compile -C build-tsan
}

# Sums meson's JSON test logs into the closing line CI reads.
summarise() {
    python3 - "$@" <<'PY'
import json, sys
passed = failed = 0
for log in sys.argv[1:]:
    for line in open(log):
        result = json.loads(line)["result"]
        if result in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif result != "SKIP":
            failed += 1
print("tests: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
PY
}

main_job() {
    local cli=build/tools/otaprio
    "$cli" --version
    echo
    echo "== An actively exploited remote flaw, scored against a small fleet" \
         "(examples/):"
    "$cli" score --issue examples/exploited-remote-flaw.json \
        --fleet examples/fleet.csv --explain branch-router-9
    echo
    echo "== Rollout positions of five devices for salt 'fw-3.2.1-canary'" \
         "(first 10% are in the canary):"
    "$cli" bucket --salt fw-3.2.1-canary --percent 10 \
        SN-100001 SN-100002 SN-100003 SN-100004 SN-100005
    echo
    echo "== Release order of a catalog of packages (examples/catalog.json):"
    "$cli" graph --catalog examples/catalog.json --order
    echo
    echo "== A device offline for months and the OS update it wants:"
    "$cli" graph --catalog examples/catalog.json --region eu \
        --device 'bootloader=2.1,os=11.0,libssl=1.1.1t' --target os-12.0-delta
    echo
    echo "== Canary waves of 2% and 10% of a fleet, every OS x SKU x region" \
         "covered first, metered links left out (examples/cohort-fleet.csv):"
    "$cli" cohort --fleet examples/cohort-fleet.csv --waves 0.02,0.1,1 \
        --strata os,sku,region --method minimum --salt fw-4.2.0 \
        --metered-column metered --exclude-metered
    echo
    echo "== Guardrails of the first wave: a crash-rate regression on one" \
         "SKU, boot failures under their ceiling, a battery soak still" \
         "running (examples/guard*):"
    "$cli" guard --rules examples/guardrails.json \
        --telemetry examples/guard-telemetry.csv \
        --samples examples/guard-samples.csv
    echo
    echo "== The runbook of a fix for an OpenSSL flaw: tier, waves from" \
         "dogfood to the broad fleet, soaks, guardrails, the way back," \
         "blocked devices and their update paths (examples/plan-*):"
    "$cli" plan --issue examples/plan-issue.json \
        --fleet examples/plan-fleet.csv --strata region,sku \
        --catalog examples/catalog.json --package os-12.0-delta \
        --flaw libssl --flaw-versions '< 3.0.13' \
        --guardrails examples/guardrails.json
    echo
    echo "== Seven rollouts on a synthetic fleet of 1,000,000 devices, each" \
         "planned by the runbook and judged hour by hour by the guardrails:"
    "$cli" simulate
}

run_tests() {
    local status=0
    say "tests: gcc build"
    meson test -C build --print-errorlogs || status=1
    say "tests: Python bindings (bindings/python) on the gcc build"
    (cd bindings/python && OTAPRIO_BUILD_DIR="$root/build" \
        python -m pytest -q) || status=1
    say "tests: Go bindings (bindings/go) on the gcc build, with the race detector"
    (cd bindings/go &&
        export PKG_CONFIG_PATH="$root/build/meson-uninstalled" \
            LD_LIBRARY_PATH="$root/build" CGO_ENABLED=1 GOFLAGS=-buildvcs=false &&
        test -z "$(gofmt -l .)" &&
        go vet ./... &&
        go test -count=1 -race ./...) || status=1
    say "tests: clang ASan+UBSan build, fuzz corpora through libFuzzer"
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        meson test -C build-sanitize --print-errorlogs || status=1
    say "tests: Python bindings (bindings/python) on the clang ASan+UBSan build"
    (cd bindings/python && OTAPRIO_BUILD_DIR="$root/build-sanitize" \
        LD_PRELOAD="$(clang -print-file-name=libclang_rt.asan-x86_64.so)" \
        ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
        UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        python -m pytest -q -p no:cacheprovider) || status=1
    say "tests: Go bindings (bindings/go) on the clang ASan+UBSan build"
    # The test binary alone runs with the sanitizer runtime preloaded (the
    # library needs it loaded first; above, the interpreter has it); leak
    # checking is off in both, as objects a test leaves to finalizers or
    # the garbage collector are still live when the process exits.
    (cd bindings/go &&
        export PKG_CONFIG_PATH="$root/build-sanitize/meson-uninstalled" \
            CGO_ENABLED=1 GOFLAGS=-buildvcs=false &&
        go test -c -o "$root/build-sanitize/otaprio-go.test" . &&
        LD_LIBRARY_PATH="$root/build-sanitize" \
        LD_PRELOAD="$(clang -print-file-name=libclang_rt.asan-x86_64.so)" \
        ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
        UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
            "$root/build-sanitize/otaprio-go.test" -test.count=1) || status=1
    say "tests: clang ThreadSanitizer build, concurrency suite"
    TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
        meson test -C build-tsan --suite threads --print-errorlogs || status=1
    summarise build/meson-logs/testlog.json \
        build-sanitize/meson-logs/testlog.json \
        build-tsan/meson-logs/testlog.json || status=1
    return $status
}

case "${1:-}" in
run)
    ensure_packages
    ensure_venv
    gcc_build
    main_job
    ;;
test)
    ensure_packages
    ensure_venv
    ensure_go
    gcc_build
    sanitize_build
    tsan_build
    run_tests
    ;;
*)
    echo "usage: scripts/dev.sh run|test" >&2
    exit 2
    ;;
esac
