# govhook: the two commands that matter are `make demo` and `make test`.
SHELL := /usr/bin/env bash
GO ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
BIN := bin/govhook
PKGS := ./...

.PHONY: all build image test unit e2e demo demo-down lint fmt vet bench loadtest control-plane clean generate

all: build

## build: the govhook binary in bin/
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/govhook

## image: the container image (needs a docker daemon)
image:
	docker build --build-arg VERSION=$(VERSION) -t govhook:$(VERSION) .

## test: unit, Rego, fixture and deploy-manifest tests, then the end-to-end suite
test: lint unit e2e

## unit: unit, Rego and fixture tests (no control plane)
# The unit tests that need a real apiserver (namespace cache, serve with a cluster) get the
# cached control plane too, so they run instead of skipping.
unit: control-plane
	KUBEBUILDER_ASSETS="$$(hack/build-control-plane.sh | tail -n 1)" $(GO) test -race -count=1 $(PKGS)

## e2e: real etcd + kube-apiserver + kubectl (built from Go modules, cached), real govhook process
e2e: build control-plane
	KUBEBUILDER_ASSETS="$$(hack/build-control-plane.sh 2>/dev/null | tail -n 1)" GOVHOOK_BIN="$(CURDIR)/$(BIN)" \
		$(GO) test -count=1 -tags e2e -timeout 10m -v ./test/e2e/

## control-plane: build kube-apiserver, kubectl and etcd into ~/.cache/govhook (skipped when present)
control-plane:
	hack/build-control-plane.sh >/dev/null

## demo: start a local control plane and govhook, apply deploy/examples/ with kubectl; stays up
## until Ctrl-C when run from a terminal, stops after the results otherwise (DEMO_KEEP=0|1)
demo: build control-plane
	hack/demo.sh

## demo-down: stop a demo left running
demo-down:
	hack/demo.sh down

## generate: the webhook rules, the kinds govhook audit lists and the README's policy catalog, from
## the policies' METADATA (go test ./hack/generate fails when they are stale)
generate:
	$(GO) run ./hack/generate

lint: fmt vet
	$(GO) run github.com/open-policy-agent/opa@v1.22.3 fmt --list --fail policies/
	$(GO) run github.com/open-policy-agent/opa@v1.22.3 check --strict policies/

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

## bench: stage benchmarks, in a form benchstat reads
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 6 $(PKGS) | tee bench.txt

## loadtest: drive a local govhook (evidence on) over HTTPS with a generated review mix
LOAD_RATE ?= 3000
LOAD_DURATION ?= 30s
loadtest: build
	$(GO) run ./hack/loadtest -serve $(BIN) -rate $(LOAD_RATE) -duration $(LOAD_DURATION) -json loadtest.json

clean:
	rm -rf bin/ bench.txt
