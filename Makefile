# kship's developer entry points. `make test` is what CI runs.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := build

GO      ?= go
BIN     := bin
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X github.com/kship/kship/pkg/cli.Version=$(VERSION)

.PHONY: build test unit lint fuzz tools cluster-up cluster-2-up cluster-down bench demo schemas clean

## build: compile bin/kship
# Static, stripped: what a release ships. Without cgo the binary also drops
# the plugin loader's symbol table, and starts with half the memory.
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/kship ./cmd/kship

## tools: build the pinned peers and control plane (cached under ~/.cache/kship)
tools:
	@tools/bin.sh >/dev/null

## lint: gofmt and go vet
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	@$(GO) mod tidy -diff >/dev/null || { echo "go.mod or go.sum is not tidy: run go mod tidy"; exit 1; }

## fuzz: every Fuzz* target of the module, briefly (FUZZ_BUDGET seconds of fuzzing in all, default 24)
fuzz:
	@GO=$(GO) tools/fuzz.sh

## unit: the tests that need no cluster
unit:
	$(GO) test -count=1 -short ./...

## test: lint and fuzz, then every test against a local control plane it starts and stops
test: lint fuzz tools
	@tools/cluster/up.sh
	@status=0; \
	bin="$$(tools/bin.sh)"; \
	KSHIP_KUSTOMIZE="$$bin/kustomize" KSHIP_KUBECTL="$$bin/kubectl" KSHIP_REQUIRE_CLUSTER=1 \
	  $(GO) test -count=1 ./... || status=$$?; \
	tools/cluster/second.sh down; \
	tools/cluster/down.sh; \
	exit $$status

## cluster-up: start the local control plane; kubeconfig in .cluster/kubeconfig
cluster-up:
	@tools/cluster/up.sh

## cluster-2-up: start a second, independent local control plane; kubeconfig in .cluster-2/kubeconfig
cluster-2-up:
	@tools/cluster/second.sh up

## cluster-down: stop every process cluster-up and cluster-2-up started
cluster-down:
	@tools/cluster/second.sh down; tools/cluster/down.sh

## demo: start the local control plane and deploy the sample app to "stage"
# The local cluster's kubeconfig names its context kship-local; the demo copy
# names it "stage", the context kship.yaml gives that environment. The stage
# overlay's Secret is SOPS-encrypted for demo/age.key, a demo-only key.
demo: build
	@tools/cluster/up.sh
	@sed 's/kship-local/stage/g' .cluster/kubeconfig > .cluster/demo.kubeconfig
	SOPS_AGE_KEY_FILE=demo/age.key $(BIN)/kship deploy stage --kubeconfig .cluster/demo.kubeconfig
	@echo "The cluster keeps running: KUBECONFIG=.cluster/demo.kubeconfig; 'make cluster-down' stops it."

## bench: kship against the kustomize CLI, kubectl and kubeconform on the same input and cluster
bench: tools
	@tools/cluster/up.sh
	KSHIP_KUSTOMIZE="$$(tools/bin.sh)/kustomize" $(GO) run ./bench

## schemas: regenerate pkg/validate's shipped OpenAPI schemas from the local control plane
schemas:
	@tools/cluster/up.sh
	cd tools && GOWORK=off $(GO) run ./cmd/openapi-dump

clean:
	rm -rf $(BIN)
