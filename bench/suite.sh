#!/usr/bin/env bash
# The test suite's wall time (issue 9, point 7): `dotnet test Orchestra.sln --no-build` on a base commit and on this
# tree, both built first, then run one after the other on this machine. Prints both times, the test counts and the
# ratio this/base. Target: at most 0.60 with more tests. The tests that need Docker run when an engine answers.
# Usage: bench/suite.sh [base commit=83bd48e] [other commit, instead of this working tree]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
BASE=${1:-83bd48e}
TREE=$OUT/suite-base
THIS=$REPO
rm -rf "$TREE" "$OUT/suite-this" && git -C "$REPO" worktree prune
git -C "$REPO" worktree add --detach "$TREE" "$BASE" >/dev/null
trap 'git -C "$REPO" worktree remove --force "$TREE"; [[ $THIS == "$REPO" ]] || git -C "$REPO" worktree remove --force "$THIS"' EXIT
if [[ -n ${2:-} ]]; then
  THIS=$OUT/suite-this
  git -C "$REPO" worktree add --detach "$THIS" "$2" >/dev/null
fi
for dir in "$TREE" "$THIS"; do dotnet build "$dir/Orchestra.sln" -v quiet -nologo >/dev/null; done

# Runs the suite of $1; prints "<seconds> <tests> <failed>" (a failed test does not end the measurement).
run_suite() {
  local start end summary
  start=$(now)
  summary=$(dotnet test "$1/Orchestra.sln" --no-build 2>&1 | grep -E 'Total: +[0-9]+' || true)
  end=$(now)
  echo "$(elapsed "$start" "$end") $(grep -oE 'Total: +[0-9]+' <<<"$summary" | awk '{s+=$2} END{print s+0}') $(grep -oE 'Failed: +[0-9]+' <<<"$summary" | awk '{s+=$2} END{print s+0}')"
}
read -r base_s base_n base_f < <(run_suite "$TREE")
read -r this_s this_n this_f < <(run_suite "$THIS")
printf 'base %s: %s tests (%s failed) in %.1f s\n%s: %s tests (%s failed) in %.1f s\nratio: %.2f\n' \
  "$BASE" "$base_n" "$base_f" "$base_s" "${2:-this tree}" "$this_n" "$this_f" "$this_s" "$(awk -v a="$this_s" -v b="$base_s" 'BEGIN{print a/b}')"
