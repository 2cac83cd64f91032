# Cubicle — the two commands a newcomer needs are `make run` and `make test`.
# Both install what a fresh Debian machine lacks before building.

SWIFT        ?= $(shell command -v swift 2>/dev/null || echo /opt/swift/usr/bin/swift)
APT_PACKAGES := pkg-config libssh-dev libcurl4-openssl-dev libsqlite3-dev openssh-server openssh-client \
                util-linux iproute2 procps python3 python3-venv sqlite3 openssl sudo shellcheck busybox curl ca-certificates
DATA_DIR     ?= .cubicle
LISTEN       ?= 127.0.0.1:8080
CLUSTER_LISTEN ?= 127.0.0.1:6443
SWIFT_TEST_FLAGS ?=
BENCH_FLAGS  ?=
# Python tools the tests drive (schemathesis against docs/openapi.yaml, a real OIDC provider), in a venv under .build.
PYTOOLS      := .build/pytools
PY_PACKAGES  := schemathesis==4.32.5 oidc-provider-mock==0.3.4 requests==2.34.2 websocket-client==1.9.2 cocalc-api==0.5.1

.PHONY: deps pytools build run test soak clean local-cluster bench

## deps: install the system packages the build and the tests need (apt, as root or with sudo).
deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@command -v kubectl >/dev/null || echo "note: kubectl is not on PATH; the kubectl integration test will say so and skip"

## pytools: a Python venv with the tools the tests run (re-made when PY_PACKAGES changes).
pytools: deps
	@if [ "$$(cat $(PYTOOLS)/.packages 2>/dev/null)" != "$(PY_PACKAGES)" ]; then \
	  rm -rf $(PYTOOLS) && python3 -m venv $(PYTOOLS) && \
	  $(PYTOOLS)/bin/pip install -q --disable-pip-version-check $(PY_PACKAGES) && \
	  echo "$(PY_PACKAGES)" > $(PYTOOLS)/.packages; \
	fi

## build: compile everything (debug).
build: deps
	$(SWIFT) build

## run: build and start Cubicle (the API on $(LISTEN); the embedded cluster unless one is configured).
run: build
	$(SWIFT) run cubicle serve --listen $(LISTEN) --data-dir $(DATA_DIR)

## local-cluster: only the embedded Kubernetes API server and kubelet.
local-cluster: build
	$(SWIFT) run cubicle local-cluster --listen $(CLUSTER_LISTEN) --data-dir $(DATA_DIR)/cluster

## test: build and run every test suite. The whole output also goes to $(TEST_LOG); when a test fails,
##       the failures are repeated at the end so that the last lines of a long log name them.
TEST_LOG     := .build/test.log
test: deps pytools
	$(SWIFT) build --build-tests
	@{ $(SWIFT) test --skip-build $(SWIFT_TEST_FLAGS) 2>&1; echo $$? > $(TEST_LOG).rc; } | tee $(TEST_LOG); \
	rc=$$(cat $(TEST_LOG).rc); \
	if [ "$$rc" != 0 ]; then \
	  echo "--- failures (exit $$rc; whole log in $(TEST_LOG)) ---"; \
	  grep -E '✘|↳' $(TEST_LOG) | grep -v 'Test run with' | cut -c1-600 | head -n 40; \
	fi; \
	exit $$rc

## soak: the long fault variants (100 provisions under API faults, 50 killed mid-provision).
soak: deps
	$(SWIFT) build --build-tests
	CUBICLE_SOAK=1 $(SWIFT) test --skip-build --filter ProvisioningFaultTests

## bench: release-build cubicle-bench and run every scenario at its defaults (docs/benchmarks.md); not part of `test`.
##        BENCH_FLAGS go to `cubicle-bench all`, e.g. BENCH_FLAGS="--only files --json".
bench: deps
	$(SWIFT) build -c release --product cubicle-bench
	.build/release/cubicle-bench all $(BENCH_FLAGS)

clean:
	rm -rf .build
