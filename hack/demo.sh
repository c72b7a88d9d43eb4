#!/usr/bin/env bash
# make demo: a local Kubernetes control plane (etcd and kube-apiserver built from source by
# hack/build-control-plane.sh) with govhook registered as its validating webhook and serving
# as a real process; applies deploy/examples/ with the real kubectl and shows what it printed.
#
#   hack/demo.sh         start, apply the examples, then:
#                          stdin is a terminal  stay up until Ctrl-C (or `make demo-down`)
#                          otherwise            stop and clean up (CI, pipes)
#                        DEMO_KEEP=0 always stops; DEMO_KEEP=1 leaves it running in the
#                        background for `make demo-down`.
#   hack/demo.sh down    stop a demo left running (make demo-down)
#
# Exit status: 0 when every example was admitted or refused by govhook, 1 when the cluster did
# not come up or kubectl failed for another reason. Everything listens on 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."

state=${GOVHOOK_DEMO_DIR:-/tmp/govhook-demo}
pidfile=$state/localcluster.pid
s3pidfile=$state/s3-store.pid
bucket=govhook-evidence
archive=s3://$bucket/demo

if [ -t 1 ]; then say() { printf '\033[1m%s\033[0m\n' "$*"; }; else say() { printf '%s\n' "$*"; }; fi

running() { # pid: alive and ours (not a recycled pid)
  [ -n "${1:-}" ] && grep -qs localcluster "/proc/$1/cmdline"
}

stop() {
  [ -f "$pidfile" ] || return 0
  local pid
  pid=$(cat "$pidfile")
  if running "$pid"; then
    kill -TERM "$pid"
    for _ in $(seq 300); do running "$pid" || break; sleep 0.2; done
    running "$pid" && { echo "localcluster $pid did not stop; killing it" >&2; kill -KILL "$pid"; }
  fi
  rm -f "$pidfile"
  stop_store
}

stop_store() { # after govhook: it uploads its last segment on SIGTERM
  [ -f "$s3pidfile" ] || return 0
  local pid
  pid=$(cat "$s3pidfile")
  if grep -qs versitygw "/proc/$pid/cmdline"; then kill -TERM "$pid"; fi
  rm -f "$s3pidfile"
}

if [ "${1:-}" = down ]; then
  stop
  echo "demo stopped (evidence and audit log kept in $state)"
  exit 0
fi

keep=${DEMO_KEEP:-}
if [ -z "$keep" ]; then
  if [ -t 0 ]; then keep=foreground; else keep=0; fi
elif [ "$keep" = 1 ]; then
  keep=background
fi

[ -x bin/govhook ] || { echo "bin/govhook is missing: run make demo" >&2; exit 1; }
assets=$(hack/build-control-plane.sh | tail -n 1)
go build -o bin/localcluster ./hack/localcluster
go build -o bin/archivedemo ./hack/archivedemo
store=$(hack/build-s3-store.sh | tail -n 1)

stop # a demo left running
rm -rf "$state"
mkdir -p "$state/s3/root" "$state/s3/versions"

# The evidence archive: a Versity S3 Gateway on loopback with an Object Lock bucket. govhook
# finds these credentials through the AWS SDK's default chain, as it finds IRSA on EKS.
port=$(bin/archivedemo free-port)
export AWS_ACCESS_KEY_ID=govhookdemo AWS_SECRET_ACCESS_KEY=govhookdemo-secret AWS_REGION=us-east-1
export AWS_ENDPOINT_URL=http://127.0.0.1:$port AWS_EC2_METADATA_DISABLED=true
say "starting the S3 store for the evidence archive on $AWS_ENDPOINT_URL"
"$store" --access "$AWS_ACCESS_KEY_ID" --secret "$AWS_SECRET_ACCESS_KEY" --region "$AWS_REGION" \
  --port "127.0.0.1:$port" --quiet posix --versioning-dir "$state/s3/versions" "$state/s3/root" \
  >"$state/s3-store.log" 2>&1 &
echo $! >"$s3pidfile"
for _ in $(seq 100); do
  bin/archivedemo create-bucket "$bucket" 2>/dev/null && break
  sleep 0.2
done
bin/archivedemo list "$archive" >/dev/null || { echo "the S3 store did not come up:" >&2; tail -n 20 "$state/s3-store.log" >&2; exit 1; }
cat >"$state/config.yaml" <<EOF
apiVersion: govhook.io/v1alpha1
kind: Config
exemptions: {namespaces: [kube-node-lease]}
evidence:
  segmentAge: 5s   # 1m in production; short here so the demo shows archived segments at once
  archive: {url: $archive, endpoint: $AWS_ENDPOINT_URL, region: $AWS_REGION, retentionDays: 400, lockMode: COMPLIANCE, maxLocalBytes: 104857600}
EOF

say "starting etcd, kube-apiserver and govhook (state in $state)"
launch=()
# a demo left in the background gets its own session, out of reach of the terminal's signals
[ "$keep" = background ] && command -v setsid >/dev/null && launch=(setsid)
"${launch[@]}" bin/localcluster --assets "$assets" --govhook bin/govhook \
  --webhook-config deploy/base/validatingwebhookconfiguration.yaml --state "$state" --govhook-config "$state/config.yaml" \
  --crds deploy/base/openreports --audit-interval 10s \
  >"$state/localcluster.log" 2>&1 &
pid=$!
echo "$pid" >"$pidfile"
if [ "$keep" != background ]; then
  trap 'stop' EXIT
  trap 'echo; say "stopping"; exit 0' INT TERM
fi

for _ in $(seq 600); do
  [ -f "$state/cluster.env" ] && break
  running "$pid" || break
  sleep 0.2
done
if [ ! -f "$state/cluster.env" ]; then
  echo "the local cluster did not come up:" >&2
  tail -n 30 "$state/localcluster.log" >&2
  exit 1
fi
# shellcheck source=/dev/null
source "$state/cluster.env"
export KUBECONFIG
kubectl() { "$KUBECTL" "$@"; }
say "ready: kube-apiserver $(kubectl version -o yaml | sed -n 's/^ *gitVersion: //p' | tail -n 1), govhook registered as $(kubectl get validatingwebhookconfigurations -o name)"

refused=0 admitted=0 broken=0
for f in deploy/examples/namespace.yaml $(ls deploy/examples/*.yaml | grep -v '/namespace.yaml$'); do
  echo
  say "### $f"
  grep '^#' "$f" | sed 's/^# */   /'
  echo "\$ kubectl apply -f $f"
  set +e
  out=$(kubectl apply -f "$f" 2>&1)
  code=$?
  set -e
  echo "$out"
  if [ "$code" = 0 ]; then
    admitted=$((admitted + 1))
  elif grep -q 'denied the request' <<<"$out"; then
    refused=$((refused + 1))
  else
    broken=$((broken + 1))
  fi
  echo "(kubectl exit code $code)"
done

echo
say "### what the auditor gets"
# The chain also holds checkpoint records (every minute, even when idle); show the decisions.
last=$(cat "$EVIDENCE_DIR"/*.jsonl | grep '"type":"admission"' | tail -n 1)
records=$(cat "$EVIDENCE_DIR"/*.jsonl | grep -c '"type":"admission"')
echo "$records evidence records in $EVIDENCE_DIR (one per request govhook answered, including its readiness probe); the last one:"
echo "$last"
id=$(grep -o '"id":"[^"]*"' <<<"$last" | head -n 1 | cut -d '"' -f 4)
echo "the apiserver's audit log ($AUDIT_LOG) names the same decision id:"
grep -o "\"validate.govhook.io/decision-id\":\"$id\"[^}]*" "$AUDIT_LOG" || echo "(not found)"
echo "the chain verifies (bin/govhook evidence verify; bin/govhook evidence report builds the auditor's pack):"
bin/govhook evidence verify "$EVIDENCE_DIR" | tail -n 1
if command -v curl >/dev/null; then
  echo "govhook's counters ($METRICS_URL/metrics):"
  curl -s "$METRICS_URL/metrics" | grep -E '^govhook_(admission_requests|policy_violations)_total'
fi

echo
say "### the evidence archive ($archive, Object Lock COMPLIANCE)"
echo "sealed segments go to S3 within segmentAge; the local directory is only a buffer"
for _ in $(seq 100); do
  [ -n "$(bin/archivedemo list "$archive/")" ] && break
  sleep 0.2
done
echo "\$ archived segments:"
bin/archivedemo list "$archive/" || broken=$((broken + 1))
first=$(bin/archivedemo list "$archive/" | head -n 1 | cut -d ' ' -f 1)
if [ -n "$first" ]; then
  echo "\$ delete the archived version of $first:"
  bin/archivedemo delete "$first" || broken=$((broken + 1))
else
  echo "(nothing archived yet)"; broken=$((broken + 1))
fi
echo "\$ bin/govhook evidence verify --config $state/config.yaml $archive $EVIDENCE_DIR   # the archive, plus the tail not archived yet"
bin/govhook evidence verify --config "$state/config.yaml" "$archive" "$EVIDENCE_DIR" | tail -n 2 || broken=$((broken + 1))
if command -v curl >/dev/null; then
  curl -s "$METRICS_URL/metrics" | grep -E '^govhook_evidence_(archive_[a-z_]+|local_bytes) '
fi

echo
say "$admitted admitted, $refused refused by govhook, $broken failed otherwise"

echo
say "### continuous compliance: what is in the cluster now"
# The audit (every 10s here, hourly by default) judges every object already in the cluster and
# publishes OpenReports. Wait for a run that started after the last kubectl apply.
applied=$(date +%s)
audited=0
for _ in $(seq 300); do
  if command -v curl >/dev/null; then
    m=$(curl -s "$METRICS_URL/metrics")
    last=$(sed -n 's/^govhook_audit_last_run_timestamp_seconds //p' <<<"$m")
    took=$(sed -n 's/^govhook_audit_run_duration_seconds //p' <<<"$m")
    if [ -n "$last" ] && awk -v l="$last" -v d="$took" -v a="$applied" 'BEGIN { exit !(l - d > a) }'; then
      audited=1
      grep -E '^govhook_audit_(violations|objects_scanned)' <<<"$m" | head -n 12
      break
    fi
  fi
  sleep 0.2
done
[ "$audited" = 1 ] || { echo "no audit run completed (see $GOVHOOK_LOG)" >&2; status_audit=1; }
echo "\$ kubectl get clusterreports"
kubectl get clusterreports
echo "\$ kubectl get reports -A"
kubectl get reports -A
status=${status_audit:-0}
[ "$broken" = 0 ] || status=1

case $keep in
  foreground)
    echo
    say "The cluster stays up. In another terminal, try your own manifests:"
    echo "  export KUBECONFIG=$KUBECONFIG"
    echo "  export PATH=$(dirname "$KUBECTL"):\$PATH   # the kubectl this demo uses"
    echo "  kubectl apply -f your-manifest.yaml"
    echo "govhook log: $GOVHOOK_LOG   evidence: $EVIDENCE_DIR   audit log: $AUDIT_LOG"
    say "Ctrl-C (or make demo-down) stops it."
    wait "$pid" || true
    ;;
  background)
    echo
    echo "export KUBECONFIG=$KUBECONFIG"
    echo "export PATH=$(dirname "$KUBECTL"):\$PATH"
    say "The cluster keeps running in the background; make demo-down stops it."
    ;;
  *)
    echo
    echo "export KUBECONFIG=$KUBECONFIG   # (valid while the demo runs; run make demo in a terminal to keep it up)"
    say "stopping (stdin is not a terminal, or DEMO_KEEP=0)"
    ;;
esac
exit "$status"
