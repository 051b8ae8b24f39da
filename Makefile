# Arbor: `make test` builds and runs every test; `make run` starts arbord locally.
# Both install missing Debian packages first (deploy/install-deps.sh); `make test`
# also installs the pinned engines and Hive's client and metastore (deploy/install-engines.sh,
# deploy/install-hive.sh, deploy/install-trino.sh, and the cloud tests' moto venv,
# deploy/install-cloud-test.sh, cached in ~/.cache/arbor); `make build`
# installs the pinned DuckDB headers and wheel (deploy/install-duckdb.sh).
# `make test-engines ENGINE=spark|pyiceberg|trino|hive` runs one engine's tests alone.

BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
CTEST_ARGS ?=

.PHONY: all deps duckdb engines hive cloud configure build test test-engines test-hive run bench clean format fuzz fuzz-build

all: build

deps:
	@./deploy/install-deps.sh

# The pinned DuckDB headers and wheel the extension (clients/duckdb) builds and tests with.
duckdb: deps
	@./deploy/install-duckdb.sh

engines: deps
	@./deploy/install-engines.sh

hive: deps
	@./deploy/install-hive.sh

cloud: deps
	@./deploy/install-cloud-test.sh

configure: deps duckdb
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) > $(BUILD_DIR).configure.log 2>&1 \
	  || (cat $(BUILD_DIR).configure.log; exit 1)

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

test: build engines hive cloud
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)
	@$(MAKE) --no-print-directory fuzz

# Fuzzing (fuzz/README.md): a clang build with libFuzzer and sanitizers in build-fuzz/,
# then every target for FUZZ_SECONDS over its seed corpus; a crash fails the step.
FUZZ_DIR ?= build-fuzz
FUZZ_SECONDS ?= 8
FUZZ_CXX ?= clang++-19
fuzz-build: deps
	@cmake -S fuzz -B $(FUZZ_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_CXX_COMPILER=$(FUZZ_CXX) > $(FUZZ_DIR).configure.log 2>&1 \
	  || (cat $(FUZZ_DIR).configure.log; exit 1)
	@cmake --build $(FUZZ_DIR) -j $(JOBS)

fuzz: fuzz-build
	@./fuzz/run.sh $(FUZZ_DIR) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

ENGINE ?= spark
test-engines: build engines hive
	@cd $(BUILD_DIR) && ctest --output-on-failure -L '^$(ENGINE)$$' $(CTEST_ARGS)

test-hive: build hive
	@cd $(BUILD_DIR) && ctest --output-on-failure -L '^hive$$' $(CTEST_ARGS)

run: build
	@mkdir -p var
	@if [ -x $(BUILD_DIR)/bin/arbord ]; then \
	  exec $(BUILD_DIR)/bin/arbord --data-dir ./var/arbor --listen 127.0.0.1:9083 --http-listen 127.0.0.1:9084; \
	else \
	  echo "arbord is not built yet: the server arrives with the HMS front end (server/)."; exit 1; \
	fi

bench: build
	@echo "benchmarks are in $(BUILD_DIR)/bin/*_bench; see bench/README.md"

format:
	@git ls-files '*.h' '*.cc' | xargs clang-format -i

clean:
	@rm -rf $(BUILD_DIR) $(BUILD_DIR).configure.log $(FUZZ_DIR) $(FUZZ_DIR).configure.log
