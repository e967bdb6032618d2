#!/usr/bin/env bash
# Pushes the scanned OCI archive of the API image to an ECR repository under a tag,
# keeping its digest (so every environment runs the exact bytes that were scanned).
# A tag that already holds the same digest is left alone; one that holds another fails.
# Usage: push-image.sh <oci archive> <registry>/<repository> <tag> <sha256:digest>
set -euo pipefail
archive="$1" target="$2" tag="$3" expected="$4"
repository="${target#*/}"

existing="$(aws ecr describe-images --repository-name "$repository" --image-ids "imageTag=$tag" \
  --query 'imageDetails[0].imageDigest' --output text 2>/dev/null || true)"
if [ "$existing" = "$expected" ]; then
  echo "$target:$tag already holds $expected"
  exit 0
elif [ -n "$existing" ] && [ "$existing" != "None" ]; then
  echo "::error::$target:$tag holds $existing, not the scanned image $expected"
  exit 1
fi

digestfile="$(mktemp)"
skopeo copy --preserve-digests --digestfile "$digestfile" "oci-archive:$archive" "docker://$target:$tag"
pushed="$(cat "$digestfile")"
if [ "$pushed" != "$expected" ]; then
  echo "::error::pushed digest $pushed differs from the scanned image $expected"
  exit 1
fi
echo "pushed $target:$tag@$pushed"
