# govhook: the two commands that matter are `make demo` and `make test`.
SHELL := /usr/bin/env bash
GO ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
BIN := bin/govhook
# The image: stamped with the commit and its time, so two builds of one commit are identical.
REVISION ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)
IMAGE := bin/govhook-image
IMAGE_PLATFORMS := linux/amd64 linux/arm64
PKGS := ./...

.PHONY: all help build image image-docker test unit e2e demo demo-down lint fmt vet golangci opa-lint bench loadtest attack control-plane s3-store clean generate fuzz

all: build

## help: list the targets
help:
	@awk '/^## /{ sub(/^## /, ""); print }' $(MAKEFILE_LIST)

## build: the govhook binary in bin/
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/govhook

## image: the container image without Docker (hack/image): $(IMAGE).tar, an OCI layout with
## index.json at its root for linux/amd64 and linux/arm64, and its SBOM $(IMAGE).spdx.json
image:
	@set -e; for p in $(IMAGE_PLATFORMS); do \
		echo "build $$p"; \
		CGO_ENABLED=0 GOOS=$${p%/*} GOARCH=$${p#*/} $(GO) build -trimpath -buildvcs=false -ldflags "$(LDFLAGS)" \
			-o bin/$${p/\//-}/govhook ./cmd/govhook; \
	done
	$(GO) run ./hack/image -version $(VERSION) -revision $(REVISION) -created $(SOURCE_DATE_EPOCH) -out $(IMAGE) \
		$(foreach p,$(IMAGE_PLATFORMS),-binary $(p)=bin/$(subst /,-,$(p))/govhook)

## image-docker: the same image from the Dockerfile (needs a docker daemon)
image-docker:
	docker build --build-arg VERSION=$(VERSION) --build-arg REVISION=$(REVISION) -t govhook:$(VERSION) .

## test: lint, unit, Rego, fixture, deploy-manifest and image tests, then the end-to-end suite
test: lint control-plane s3-store image unit e2e

## unit: unit, Rego and fixture tests; the tests that need a real apiserver, the S3 store or the
## built image use them when they are there (make test builds them first) and skip otherwise
CACHE := $(shell echo "$${GOVHOOK_CACHE:-$${XDG_CACHE_HOME:-$$HOME/.cache}/govhook}")
ASSETS := $(CACHE)/k8s-$(shell source hack/versions.env && echo $$KUBERNETES_VERSION)
STORE := $(CACHE)/versitygw-$(shell source hack/versions.env && echo $$VERSITYGW_VERSION)/versitygw
unit:
	KUBEBUILDER_ASSETS="$$([ -x "$(ASSETS)/kube-apiserver" ] && echo "$(ASSETS)")" \
		GOVHOOK_S3_STORE_BIN="$$([ -x "$(STORE)" ] && echo "$(STORE)")" \
		GOVHOOK_IMAGE="$$([ -f "$(CURDIR)/$(IMAGE).tar" ] && echo "$(CURDIR)/$(IMAGE).tar")" \
		$(GO) test -race -count=1 $(PKGS)

## e2e: real etcd + kube-apiserver + kubectl (built from Go modules, cached), real govhook process
e2e: build control-plane s3-store
	KUBEBUILDER_ASSETS="$$(hack/build-control-plane.sh 2>/dev/null | tail -n 1)" GOVHOOK_BIN="$(CURDIR)/$(BIN)" \
		GOVHOOK_S3_STORE_BIN="$$(hack/build-s3-store.sh 2>/dev/null | tail -n 1)" \
		$(GO) test -count=1 -tags e2e -timeout 10m -v ./test/e2e/

## control-plane: build kube-apiserver, kubectl and etcd into ~/.cache/govhook (skipped when present)
control-plane:
	hack/build-control-plane.sh >/dev/null

## s3-store: build the Versity S3 Gateway (the evidence archive's store in tests and the demo)
## into ~/.cache/govhook (skipped when present)
s3-store:
	hack/build-s3-store.sh >/dev/null

## demo: start a local control plane and govhook, apply deploy/examples/ with kubectl; stays up
## until Ctrl-C when run from a terminal, stops after the results otherwise (DEMO_KEEP=0|1)
demo: build control-plane s3-store
	hack/demo.sh

## demo-down: stop a demo left running
demo-down:
	hack/demo.sh down

## generate: the webhook rules, the kinds govhook audit lists, the audit ClusterRole and the README's policy catalog, from
## the policies' METADATA (go test ./hack/generate fails when they are stale)
generate:
	$(GO) run ./hack/generate

## lint: gofmt, go vet, golangci-lint, opa fmt and opa check --strict
lint: fmt vet golangci opa-lint

## golangci: golangci-lint v2 with .golangci.yml (errorlint, importas, revive, gocritic, misspell)
golangci:
	hack/golangci-lint.sh run ./...

opa-lint:
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

## fuzz: run each fuzz test briefly (FUZZTIME each; not part of make test)
FUZZTIME ?= 10s
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzHandler$$' -fuzztime $(FUZZTIME) ./webhook
	$(GO) test -run '^$$' -fuzz '^FuzzBuild$$' -fuzztime $(FUZZTIME) ./input
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./offline
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./config

## attack: replay issue 16 rows 1-2 (huge bodies, stalled and trickling connections) against a
## local govhook and report its RSS, answers within timeoutSeconds and a bystander's p99
ATTACK_DURATION ?= 20s
attack: build
	$(GO) run ./hack/loadtest -serve $(BIN) -attack -duration $(ATTACK_DURATION) -json attack.json

clean:
	rm -rf bin/ bench.txt
