# Cubicle — the two commands a newcomer needs are `make run` and `make test`.
# Both install what a fresh Debian machine lacks before building.

SWIFT        ?= $(shell command -v swift 2>/dev/null || echo /opt/swift/usr/bin/swift)
APT_PACKAGES := pkg-config libssh-dev libcurl4-openssl-dev libsqlite3-dev openssh-server openssh-client \
                util-linux iproute2 procps python3 python3-pip sqlite3 openssl sudo shellcheck busybox curl ca-certificates
DATA_DIR     ?= .cubicle
LISTEN       ?= 127.0.0.1:8080
CLUSTER_LISTEN ?= 127.0.0.1:6443
SWIFT_TEST_FLAGS ?=
BENCH_FLAGS  ?= --count 50 --concurrency 10

.PHONY: deps build run test clean local-cluster bench

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
	@python3 -c "import oidc_provider_mock" 2>/dev/null || python3 -m pip install -q oidc-provider-mock || python3 -m pip install -q --break-system-packages oidc-provider-mock
	@command -v kubectl >/dev/null || echo "note: kubectl is not on PATH; the kubectl integration test will say so and skip"

## build: compile everything (debug).
build: deps
	$(SWIFT) build

## run: build and start Cubicle (the API on $(LISTEN); the embedded cluster unless one is configured).
run: build
	$(SWIFT) run cubicle serve --listen $(LISTEN) --data-dir $(DATA_DIR)

## local-cluster: only the embedded Kubernetes API server and kubelet.
local-cluster: build
	$(SWIFT) run cubicle local-cluster --listen $(CLUSTER_LISTEN) --data-dir $(DATA_DIR)/cluster

## test: build and run every test suite.
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build $(SWIFT_TEST_FLAGS)

## bench: release-build cubicle-bench and measure provisioning on the embedded cluster (docs/benchmarks.md).
bench: deps
	$(SWIFT) build -c release --product cubicle-bench
	.build/release/cubicle-bench provision $(BENCH_FLAGS)

clean:
	rm -rf .build
