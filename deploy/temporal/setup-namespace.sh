#!/bin/sh
# Creates the service's namespace and its custom search attributes once the server answers.
# Safe to run again: what exists is left alone. Reads TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
# NAMESPACE_RETENTION and SEARCH_ATTRIBUTES ("Name=Type Name=Type", the list in
# workflows/search-attributes.ts; test/unit/docker-compose.test.ts keeps the two equal).
set -eu

ns=${TEMPORAL_NAMESPACE:-default}
temporal operator cluster health --address "$TEMPORAL_ADDRESS"

if temporal operator namespace describe --address "$TEMPORAL_ADDRESS" --namespace "$ns" >/dev/null 2>&1; then
  echo "namespace $ns: exists"
else
  temporal operator namespace create --address "$TEMPORAL_ADDRESS" --namespace "$ns" --retention "${NAMESPACE_RETENTION:-30d}"
  echo "namespace $ns: created"
fi

existing=$(temporal operator search-attribute list --address "$TEMPORAL_ADDRESS" --namespace "$ns")
for attribute in $SEARCH_ATTRIBUTES; do
  name=${attribute%%=*}
  type=${attribute#*=}
  if printf '%s\n' "$existing" | grep -qw "$name"; then
    echo "search attribute $name: exists"
  else
    temporal operator search-attribute create --address "$TEMPORAL_ADDRESS" --namespace "$ns" --name "$name" --type "$type"
    echo "search attribute $name: created"
  fi
done
