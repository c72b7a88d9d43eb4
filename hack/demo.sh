#!/usr/bin/env bash
# make demo: start govhook with throw-away certificates and post an AdmissionReview for each
# sample manifest in deploy/examples/, printing govhook's answer. (The control-plane demo with
# a real kube-apiserver and kubectl replaces this once test/e2e lands.)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=bin/govhook
state=${GOVHOOK_DEMO_DIR:-/tmp/govhook-demo}
port=${GOVHOOK_DEMO_PORT:-9443}
metrics=${GOVHOOK_DEMO_METRICS:-127.0.0.1:8080}

if [ "${1:-}" = down ]; then
  [ -f "$state/govhook.pid" ] && kill "$(cat "$state/govhook.pid")" 2>/dev/null || true
  rm -f "$state/govhook.pid"; echo "demo stopped"; exit 0
fi
command -v curl >/dev/null || { echo "demo needs curl (apt-get install curl)"; exit 2; }
mkdir -p "$state"
[ -f "$state/govhook.pid" ] && kill "$(cat "$state/govhook.pid")" 2>/dev/null || true
rm -rf "$state/certs" "$state/evidence"
"$bin" serve --dev --cert-dir "$state/certs" --port "$port" --metrics-bind-address "$metrics" \
  --evidence-dir "$state/evidence" --replica demo 2>"$state/govhook.log" &
echo $! >"$state/govhook.pid"
trap '[ "${KEEP:-}" = 1 ] || "$0" down >/dev/null' EXIT
for _ in $(seq 50); do curl -sf "http://$metrics/readyz" >/dev/null && break; sleep 0.2; done
curl -sf "http://$metrics/readyz" >/dev/null || { echo "govhook did not become ready:"; cat "$state/govhook.log"; exit 1; }
echo "govhook is serving https://localhost:$port/validate (log: $state/govhook.log)"

for f in deploy/examples/*.yaml; do
  echo; echo "### $f"
  body=$(python3 - "$f" <<'PY'
import json, sys, uuid, yaml
obj = yaml.safe_load(open(sys.argv[1]))
group, _, version = obj["apiVersion"].rpartition("/")
kind = obj["kind"]
print(json.dumps({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {
    "uid": str(uuid.uuid4()), "kind": {"group": group, "version": version, "kind": kind},
    "resource": {"group": group, "version": version, "resource": kind.lower() + "s"},
    "name": obj["metadata"]["name"], "namespace": obj["metadata"].get("namespace", ""),
    "operation": "CREATE", "userInfo": {"username": "demo-user"}, "object": obj}}))
PY
)
  curl -s --cacert "$state/certs/ca.crt" -H 'Content-Type: application/json' --data "$body" \
    "https://localhost:$port/validate" | python3 -c '
import json, sys
r = json.load(sys.stdin)["response"]
print("uid:", r["uid"], "allowed:", r["allowed"])
if not r["allowed"]: print(r["status"]["message"])
for w in r.get("warnings") or []: print("Warning:", w)'
done
echo; echo "### evidence ($state/evidence/demo)"; tail -n 4 "$state"/evidence/demo/*.jsonl | cut -c1-240
echo; echo "### metrics"; curl -s "http://$metrics/metrics" | grep -E '^govhook_(policy_violations|admission_requests)_total'
