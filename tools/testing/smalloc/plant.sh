#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Show that a check can fail: plant a defect in the test kernel, run the
# stage that judges it, and compare the results with what the plant
# expects.
#
#   plant.sh <kernel tree> <build dir> <plant>...
#
# plants/<plant>.patch applies to the managed kernel tree (the series
# laid by tree.sh).  Its "# expect: <result line>" header lines say what
# the run must print, "not ok" lines among them; its "# stage: " line, the
# stage that judges it: faults, rodata-off, "kunit <glob>", or else the
# SELinux stage; a "# kernel args: " line, more arguments for a KUnit
# stage's boot.  The patch is reverted
# when this ends, whatever happens; the next build makes the kernel whole
# again.  SMALLOC_SELINUX_BOOTS (see selinux.sh) is the boots the plant
# needs: "leaks" for the leak plants and free-old-policy (with
# SMALLOC_SELINUX_BOOT_TIMEOUT=400: it hangs the guest), "full" for
# decision.  Prints one "ok"/"not ok" line per plant, and last
# "smalloc-plants: N passed, M failed".  About 5 minutes a
# plant: an incremental build and one boot.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=${1:?usage: plant.sh <kernel tree> <build dir> <plant>...}
build=${2:?}
shift 2

applied=
passed=0
failed=0
revert() {
	[ -z "$applied" ] || git -C "$src" apply -R "$applied"
	applied=
}
trap revert EXIT

for plant in "$@"; do
	patch=$here/plants/$plant.patch
	if ! git -C "$src" apply "$patch"; then
		echo "not ok - plant $plant: does not apply"
		failed=$((failed + 1))
		continue
	fi
	applied=$patch
	if ! "$here/kunit.sh" build "$src" "$build" > "$build/plant-$plant.build.log" 2>&1; then
		echo "not ok - plant $plant: does not build (see $build/plant-$plant.build.log)"
		failed=$((failed + 1))
		revert
		continue
	fi
	stage=$(sed -n 's/^# stage: //p' "$patch")
	case $stage in
	faults)
		"$here/faults.sh" "$build" > "$build/plant-$plant.log" 2>&1 ;;
	rodata-off)
		"$here/rodata-off.sh" "$src" "$build" > "$build/plant-$plant.log" 2>&1 ;;
	kunit\ *)
		# A suite, or suite.case: the glob kunit.py filters with.
		glob=${stage#kunit }
		SMALLOC_KUNIT_ARGS="${SMALLOC_KUNIT_ARGS:-} $(sed -n 's/^# kernel args: //p' "$patch")" \
			"$here/kunit.sh" exec "$src" "$build" "plant-$plant-kunit" "$glob" \
			> /dev/null 2>&1
		python3 "$here/kunit_results.py" "$build/plant-$plant-kunit.json" \
			"${glob%%.*}" > "$build/plant-$plant.log" 2>&1 ;;
	*)
		SMALLOC_SELINUX_BOOTS=${SMALLOC_SELINUX_BOOTS:-leaks} \
			"$here/selinux.sh" "$src" "$build" > "$build/plant-$plant.log" 2>&1 ;;
	esac
	revert
	# A result line without its details, "(...)", as test.sh reads it.
	# A "not ok" for want of its input ("(no ...") is not the failure
	# the plant must cause.
	missing=$(sed -n 's/^# expect: //p' "$patch" | while read -r line; do
		sed 's/ (.*//' "$build/plant-$plant.log" | grep -qxF "$line" || echo "$line;"
		grep -F "$line (no " "$build/plant-$plant.log" | head -n 1
	done)
	if [ -z "$missing" ]; then
		echo "ok - plant $plant: $(sed -n 's/^# expect: //p' "$patch" | tr '\n' ';' | sed 's/;$//')"
		passed=$((passed + 1))
	else
		echo "not ok - plant $plant: missing: $missing (see $build/plant-$plant.log)"
		failed=$((failed + 1))
	fi
	grep -E '^# SELinux: (counters before-reloads|slab caches)' "$build/plant-$plant.log" | cut -c1-300 || true
done
echo "smalloc-plants: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
