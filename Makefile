# seclambda's two commands are `make demo` and `make test`. Every target
# installs what it needs, pinned, into .bin/ and relies on nothing else being
# on the machine beyond Go, node/npm and Debian's base.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := test

# Pinned peers and tools.
LOCAL_KMS_VERSION   := v0.0.0-20260228092603-2a5e92d09ab6
RIE_VERSION         := v0.0.0-20261030222936-bef5c4ba774d
STATICCHECK_VERSION := v0.8.2
GOVULNCHECK_VERSION := v1.9.0
COGNITO_LOCAL_DIR   := tools/cognito-local
DYNALITE_DIR        := tools/dynalite
AWS_CRYPTO_DIR      := tools/aws-crypto

BIN := $(CURDIR)/.bin
export SECLAMBDA_BIN := $(BIN)
export GOTOOLCHAIN := local

# Commands the tests need from Debian, as command:package: openssl to
# cross-check certificate verdicts, chromium for the real-browser CORS test.
SYSDEPS := openssl:openssl chromium:chromium

# Every Go module in the repository: the library and its sibling modules.
MODULES := . $(patsubst %/go.mod,%,$(wildcard */go.mod))
FUZZTIME ?= 10s

KMS_STAMP         := $(BIN)/.local-kms-$(LOCAL_KMS_VERSION)
RIE_STAMP         := $(BIN)/.aws-lambda-rie-$(RIE_VERSION)
STATICCHECK_STAMP := $(BIN)/.staticcheck-$(STATICCHECK_VERSION)
GOVULNCHECK_STAMP := $(BIN)/.govulncheck-$(GOVULNCHECK_VERSION)
COGNITO_STAMP     := $(BIN)/.cognito-local-$(shell sha256sum $(COGNITO_LOCAL_DIR)/package-lock.json | cut -c1-16)
DYNALITE_STAMP    := $(BIN)/.dynalite-$(shell sha256sum $(DYNALITE_DIR)/package-lock.json | cut -c1-16)
AWS_CRYPTO_STAMP  := $(BIN)/.aws-crypto-$(shell sha256sum $(AWS_CRYPTO_DIR)/package-lock.json | cut -c1-16)

.PHONY: test sysdeps peers lint tools vuln fuzz bench demo clean-bin tidy

## test: install the pinned peers, then run every module's tests with -race; peers are required.
test: sysdeps
	@$(MAKE) --no-print-directory -j4 peers
	@for m in $(MODULES); do \
		echo "==> go test -race $$m"; \
		(cd $$m && SECLAMBDA_REQUIRE_PEERS=1 go test -race -count=1 ./...); \
	done

## sysdeps: install the Debian packages the tests use when they are missing,
## with apt-get when run as root.
sysdeps:
	@missing=""; for c in $(SYSDEPS); do command -v $${c%%:*} >/dev/null || missing="$$missing $${c##*:}"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "installing Debian packages:$$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
		else echo "missing Debian packages:$$missing (install them, e.g. sudo apt-get install$$missing)"; exit 1; fi; \
	fi

## peers: install local-kms, aws-lambda-rie, cognito-local, dynalite and the
## AWS Encryption SDK for JavaScript into .bin/.
peers: $(KMS_STAMP) $(RIE_STAMP) $(COGNITO_STAMP) $(DYNALITE_STAMP) $(AWS_CRYPTO_STAMP)

$(KMS_STAMP):
	@mkdir -p $(BIN)
	GOBIN=$(BIN) go install github.com/nsmithuk/local-kms@$(LOCAL_KMS_VERSION)
	@rm -f $(BIN)/.local-kms-* && touch $@

$(RIE_STAMP):
	@mkdir -p $(BIN)
	GOBIN=$(BIN) go install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@$(RIE_VERSION)
	@rm -f $(BIN)/.aws-lambda-rie-* && touch $@

$(COGNITO_STAMP): $(COGNITO_LOCAL_DIR)/package.json $(COGNITO_LOCAL_DIR)/package-lock.json
	@mkdir -p $(BIN)/cognito-local
	cp $(COGNITO_LOCAL_DIR)/package.json $(COGNITO_LOCAL_DIR)/package-lock.json $(BIN)/cognito-local/
	cd $(BIN)/cognito-local && npm ci --no-audit --no-fund --loglevel=error
	@rm -f $(BIN)/.cognito-local-* && touch $@

$(DYNALITE_STAMP): $(DYNALITE_DIR)/package.json $(DYNALITE_DIR)/package-lock.json
	@mkdir -p $(BIN)/dynalite
	cp $(DYNALITE_DIR)/package.json $(DYNALITE_DIR)/package-lock.json $(BIN)/dynalite/
	cd $(BIN)/dynalite && npm ci --no-audit --no-fund --loglevel=error
	@rm -f $(BIN)/.dynalite-* && touch $@

$(AWS_CRYPTO_STAMP): $(AWS_CRYPTO_DIR)/package.json $(AWS_CRYPTO_DIR)/package-lock.json
	@mkdir -p $(BIN)/aws-crypto
	cp $(AWS_CRYPTO_DIR)/package.json $(AWS_CRYPTO_DIR)/package-lock.json $(BIN)/aws-crypto/
	cd $(BIN)/aws-crypto && npm ci --no-audit --no-fund --loglevel=error
	@rm -f $(BIN)/.aws-crypto-* && touch $@

$(STATICCHECK_STAMP):
	@mkdir -p $(BIN)
	GOBIN=$(BIN) go install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	@rm -f $(BIN)/.staticcheck-* && touch $@

## tools: install the pinned linters.
tools: $(STATICCHECK_STAMP)

## lint: gofmt lists nothing, then go vet and staticcheck over every module.
lint: tools
	@out=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	@for m in $(MODULES); do \
		echo "==> vet + staticcheck $$m"; \
		(cd $$m && go vet ./... && $(BIN)/staticcheck ./...); \
	done

$(GOVULNCHECK_STAMP):
	@mkdir -p $(BIN)
	GOBIN=$(BIN) go install golang.org/x/vuln/cmd/govulncheck@$(GOVULNCHECK_VERSION)
	@rm -f $(BIN)/.govulncheck-* && touch $@

## vuln: govulncheck (pinned) over every module. It downloads the Go
## vulnerability database, so .ci/run does not call it; the GitHub workflow
## does. It reports the standard library's vulnerabilities for the Go that
## runs it, so run it with the newest Go release (v1.9.0 itself needs Go 1.26).
vuln: $(GOVULNCHECK_STAMP)
	@for m in $(MODULES); do \
		echo "==> govulncheck $$m"; \
		(cd $$m && $(BIN)/govulncheck ./...); \
	done

## fuzz: run every fuzz target for FUZZTIME (default 10s) each. Minimising a
## new input is capped at 100 runs: the default (60 s) can spend a whole short
## run minimising one input of a large target such as samcheck's.
fuzz:
	@for m in $(MODULES); do \
		(cd $$m && for pkg in $$(go list ./...); do \
			for f in $$(go test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
				echo "==> fuzz $$pkg $$f"; \
				go test -run='^$$' -fuzz="^$$f$$" -fuzztime=$(FUZZTIME) -fuzzminimizetime=100x $$pkg; \
			done; \
		done); \
	done

## bench: run the cross-library benchmarks and cold-start measurements in
## bench/ and regenerate BENCHMARKS.md.
bench: peers
	cd bench && go run ./cmd/report -o ../BENCHMARKS.md

## demo: the whole local chain (browser origin, gateway, authorizers,
## functions, KMS, Cognito) with a scripted scenario; SERVE=1 keeps serving.
demo: sysdeps
	@$(MAKE) --no-print-directory -j4 peers
	cd examples && go run ./cmd/demo $(if $(SERVE),-serve)

## clean-bin: remove the installed peers and tools.
clean-bin:
	rm -rf $(BIN)

## tidy: go mod tidy in every module (run it after changing the root go.mod).
tidy:
	@for m in $(MODULES); do (cd $$m && go mod tidy); done
