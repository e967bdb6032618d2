#!/usr/bin/env bash
# Checks that a run of the `image` workflow may be deployed: it ran the image workflow of
# this repository, succeeded, was started by a push to main (not a pull request, a fork,
# a tag or another branch), and its commit is on main. Prints the run's commit SHA.
# Needs GH_TOKEN with actions:read and contents:read on the repository.
# Usage: check-image-run.sh <owner/name> <run id>
set -euo pipefail
repo="${1:-}" run_id="${2:-}"
fail() {
  echo "::error::image run ${run_id}: $*; nothing was deployed" >&2
  exit 1
}
[[ "$repo" =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]] || fail "repository \"$repo\" is not owner/name"
[[ "$run_id" =~ ^[0-9]{1,20}$ ]] || fail "the run id is not a number"

run="$(gh api "repos/$repo/actions/runs/$run_id")" || fail "no such run in $repo"
field() { jq -r "($1) // \"\" | tostring" <<<"$run"; }

path="$(field .path)"
path="${path%%@*}"
[ "$path" = ".github/workflows/image.yml" ] || fail "is a run of \"$path\", not .github/workflows/image.yml"
[ "$(field .repository.full_name)" = "$repo" ] || fail "belongs to $(field .repository.full_name), not $repo"
[ "$(field .status)" = "completed" ] || fail "is $(field .status), not completed"
[ "$(field .conclusion)" = "success" ] || fail "concluded \"$(field .conclusion)\", not success"
[ "$(field .event)" = "push" ] || fail "was started by a $(field .event) event, not a push to main"
[ "$(field .head_repository.full_name)" = "$repo" ] ||
  fail "built a commit of $(field .head_repository.full_name) (a fork), not of $repo"
[ "$(field .head_branch)" = "main" ] || fail "built branch \"$(field .head_branch)\", not main"
sha="$(field .head_sha)"
[[ "$sha" =~ ^[0-9a-f]{40}$ ]] || fail "head_sha \"$sha\" is not a commit SHA"

# base...head compares main with the commit: "behind" or "identical" means main contains it.
status="$(gh api "repos/$repo/compare/main...$sha" --jq .status)" || fail "could not compare $sha with main"
case "$status" in
  behind | identical) ;;
  *) fail "commit $sha is not on main (compared with main: $status)" ;;
esac
echo "$sha"
