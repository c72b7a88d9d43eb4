// Package e2e is govhook's end-to-end suite (build tag e2e, run by `make e2e` and `make
// test`): a real etcd and kube-apiserver, govhook serving as a real process, and the real
// kubectl. Each scenario checks what a user sees (kubectl's exit code and message) and what an
// auditor gets (one evidence record per request, tied to the apiserver's audit log by the
// decision id, and metrics that agree with the evidence).
package e2e
