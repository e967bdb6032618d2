#!/usr/bin/env bash
# Collects what a deploy's change record says about its approval: the run's approvals of
# GitHub environments (who approved, when asked by the environment's required reviewers)
# into <dir>/approvals.json, and the number of the pull request that brought the commit to
# main, printed as `pull-request=<n>` (nothing when the commit came from no pull request).
# Needs GH_TOKEN with actions:read, contents:read and pull-requests:read on the repository.
# Usage: change-evidence.sh <owner/name> <run id> <commit sha> <dir>
set -euo pipefail
repo="${1:-}" run_id="${2:-}" sha="${3:-}" dir="${4:-}"
fail() {
  echo "::error::change evidence: $*; nothing was deployed" >&2
  exit 1
}
[[ "$repo" =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]] || fail "repository \"$repo\" is not owner/name"
[[ "$run_id" =~ ^[0-9]{1,20}$ ]] || fail "the run id is not a number"
[[ "$sha" =~ ^[0-9a-f]{40}$ ]] || fail "\"$sha\" is not a commit SHA"
[ -n "$dir" ] || fail "no output directory"
mkdir -p "$dir"

gh api "repos/$repo/actions/runs/$run_id/approvals" >"$dir/approvals.json" ||
  fail "could not read the approvals of run $run_id"
jq -e 'type == "array"' "$dir/approvals.json" >/dev/null || fail "the approvals of run $run_id are not a list"

pr="$(gh api "repos/$repo/commits/$sha/pulls" --jq '[.[] | select(.merged_at != null)][0].number // ""')" ||
  fail "could not read the pull requests of $sha"
if [ -n "$pr" ]; then
  [[ "$pr" =~ ^[1-9][0-9]{0,8}$ ]] || fail "pull request \"$pr\" is not a number"
  echo "pull-request=$pr"
fi
