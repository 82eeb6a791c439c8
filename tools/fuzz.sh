#!/usr/bin/env bash
# Runs every Go fuzz target of the kship module (func FuzzXxx in a _test.go
# file) for a short while each, so that targets anyone adds are fuzzed on
# every `make test` without being listed anywhere. The targets share
# FUZZ_BUDGET seconds of fuzzing (default 24), split evenly but at least
# FUZZ_MIN seconds (default 3) each, besides the seconds go test takes to
# build each package's instrumented test binary. A failing input is saved by go
# test under the package's testdata/fuzz/, where it becomes a seed: commit
# it with the fix.
set -euo pipefail
cd "$(dirname "$0")/.."

budget=${FUZZ_BUDGET:-24}
floor=${FUZZ_MIN:-3}
go=${GO:-go}

# "dir name" for each target, module files only (tools/ is its own module).
mapfile -t targets < <(git ls-files --cached --others --exclude-standard -- '*_test.go' ':!:tools/**' |
	xargs grep -HoE '^func Fuzz[A-Za-z0-9_]*\(' |
	sed -E 's#^(.*)/[^/]*_test\.go:func (Fuzz[A-Za-z0-9_]*)\($#\1 \2#' | sort -u)

if [ "${#targets[@]}" -eq 0 ]; then
	echo "fuzz: no fuzz targets"
	exit 0
fi
each=$((budget / ${#targets[@]}))
[ "$each" -ge "$floor" ] || each=$floor
echo "fuzz: ${#targets[@]} targets, ${each}s each"

failed=0
start=$SECONDS
for t in "${targets[@]}"; do
	dir=${t% *} name=${t#* }
	t0=$SECONDS
	ok=0
	for attempt in 1 2; do
		if $go test -run='^$' -fuzz="^${name}\$" -fuzztime="${each}s" "./${dir}" >"/tmp/kship-fuzz-$$.log" 2>&1; then
			ok=1
			break
		fi
		# Go's fuzz coordinator can report its own -fuzztime deadline as a
		# failure when workers are starved of CPU (a bug of the toolchain, fixed
		# in Go 1.27): a bare "context deadline exceeded" with no failing
		# input written. Retry that once; anything else is a real failure.
		if grep -q 'Failing input written' "/tmp/kship-fuzz-$$.log" ||
			! grep -q '^    context deadline exceeded$' "/tmp/kship-fuzz-$$.log"; then
			break
		fi
		echo "fuzz: ${dir} ${name}: the fuzzer's deadline race (no failing input); trying again"
	done
	if [ "$ok" -eq 1 ]; then
		echo "fuzz: ok   ${dir} ${name} ($((SECONDS - t0))s)"
	else
		echo "fuzz: FAIL ${dir} ${name} ($((SECONDS - t0))s)"
		cat "/tmp/kship-fuzz-$$.log"
		failed=$((failed + 1))
	fi
done
rm -f "/tmp/kship-fuzz-$$.log"
echo "fuzz: ${#targets[@]} targets in $((SECONDS - start))s, ${failed} failed"
[ "$failed" -eq 0 ]
