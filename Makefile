# Beep IAM. `make run` serves on an embedded SQLite database; `make test`
# installs and starts what the tests need (PostgreSQL, Redis, the npm packages of the
# client test) and runs everything. Targets loop over the workspace modules.
SHELL := /usr/bin/env bash
export GOTOOLCHAIN := local
GO ?= go
MODULES := $(shell $(GO) list -m -f '{{.Dir}}')
BIN := bin/iamd

.PHONY: run build test test-go test-e2e lint bench migrate npm clean

## run: build, migrate the SQLite default and serve (http://127.0.0.1:3000)
run: build
	./$(BIN) serve

build:
	@mkdir -p bin
	cd runtime && $(GO) build -o ../$(BIN) ./cmd/iamd

## test: lint, then every module's tests with -race against a throwaway
## PostgreSQL and Redis, then the better-auth client SDK against the real binary
test: lint npm build
	scripts/with-postgres.sh scripts/with-redis.sh $(MAKE) --no-print-directory test-go test-e2e

# The filter keeps package results, failures, and one line per storage
# dialect of the contract and migration suites and the two-node test, so the
# log shows that the PostgreSQL and Redis runs really happened.
SHOWN := ^(ok|FAIL|panic|--- FAIL)|^--- (PASS|SKIP): TestTwoNodes|^\s+--- (PASS|FAIL|SKIP): Test(Contract|MigrateUpDownUp|MigrateUpConcurrently)/[a-z]+ |^\s+--- (FAIL|SKIP)|Error Trace|_test\.go:[0-9]+:

test-go:
	@: "$${IAM_TEST_POSTGRES_URL:?use make test, which starts PostgreSQL}"
	@: "$${IAM_TEST_REDIS_URL:?use make test, which starts Redis}"
	@set -eo pipefail; for m in $(MODULES); do \
		echo "== go test -race $${m#$(CURDIR)/}"; \
		(cd $$m && IAM_TEST_REQUIRE_POSTGRES=1 IAM_TEST_REQUIRE_REDIS=1 IAM_TEST_REQUIRE_NODE=1 $(GO) test -race -count=1 -v ./... 2>&1 | { grep -E '$(SHOWN)' || true; }); \
	done

test-e2e:
	scripts/e2e.sh

npm:
	@command -v node >/dev/null || { echo "node is required (Node 20)"; exit 1; }
	@cd e2e && { [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error; }

## lint: gofmt, go vet, GOWORK=off builds and go mod tidy -diff per module
lint:
	@out=$$(gofmt -l $(MODULES)); [ -z "$$out" ] || { echo "gofmt needed:"; echo "$$out"; exit 1; }
	@set -e; for m in $(MODULES); do \
		echo "== lint $${m#$(CURDIR)/}"; \
		(cd $$m && $(GO) vet ./... && GOWORK=off $(GO) build ./... && GOWORK=off $(GO) mod tidy -diff); \
	done

## bench: password-hash ceilings and sign-in/get-session load on PostgreSQL
bench: build
	scripts/with-postgres.sh scripts/with-redis.sh scripts/bench.sh

## migrate: apply pending migrations (DATABASE_URL, default the SQLite file)
migrate: build
	./$(BIN) migrate up

clean:
	rm -rf bin
