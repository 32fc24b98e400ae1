# Thin wrapper around CMake. The README's two commands are `make lab` and
# `make check`; both install what they need first (scripts/bootstrap.sh).

BUILD        ?= build
ASAN_BUILD   ?= build-asan
FUZZ_BUILD   ?= build-fuzz
FUZZ_SECONDS ?= 20
PREFIX       ?= /usr/local
DESTDIR      ?=
JOBS         ?= $(shell nproc 2>/dev/null || echo 2)
CTEST        := ctest --output-on-failure --no-label-summary

export FUZZ_SECONDS

.PHONY: all build bootstrap check check-unit check-asan check-fuzz check-lab lab lab-down \
	bench install clean

all: build

bootstrap:
	@scripts/bootstrap.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_INSTALL_PREFIX=$(PREFIX) >/dev/null

build: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j$(JOBS)

# Stages: build (-Werror), unit tests, unit tests under ASan+UBSan, fuzzing,
# lab tests in network namespaces. The last line is CTest's summary.
check: bootstrap
	@echo "=== stage: build ==="
	@$(MAKE) --no-print-directory build
	@$(MAKE) --no-print-directory check-unit check-asan check-fuzz check-lab

check-unit: build
	@echo "=== stage: unit tests ==="
	cd $(BUILD) && $(CTEST) -j$(JOBS) -L unit

check-asan:
	@echo "=== stage: unit tests under AddressSanitizer + UndefinedBehaviorSanitizer ==="
	cmake -S . -B $(ASAN_BUILD) -DGVPN_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
	cmake --build $(ASAN_BUILD) -j$(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 $(CTEST) -j$(JOBS) -L unit

check-fuzz:
	@echo "=== stage: fuzz ($(FUZZ_SECONDS) s per target) ==="
	CC=clang cmake -S . -B $(FUZZ_BUILD) -DGVPN_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(FUZZ_BUILD) -j$(JOBS)
	cd $(FUZZ_BUILD) && $(CTEST) -j$(JOBS) -L fuzz

check-lab: build
	@echo "=== stage: lab tests (network namespaces) ==="
	cd $(BUILD) && $(CTEST) -L lab

# The reference lab of the troubleshooting guide with KS1, GM1 and GM2 running
# (the daemons of $(BUILD)); lab.sh prints how to look around.
lab: bootstrap build
	@GVPN_BUILD=$(abspath $(BUILD)) scripts/lab.sh up --daemons

lab-down:
	@GVPN_BUILD=$(abspath $(BUILD)) scripts/lab.sh down

bench: bootstrap build
	@scripts/bench.sh

install: build
	DESTDIR=$(DESTDIR) cmake --install $(BUILD) --prefix $(PREFIX)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
