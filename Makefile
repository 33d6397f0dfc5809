# The two commands: `make run` and `make test`. Everything else is a step of those.
BUILD ?= build
JOBS ?= $(shell nproc)
DB ?= var/ting.db
LISTEN ?= 127.0.0.1:8080

BUILD_SANITIZE ?= build-sanitize
SANITIZE_FLAGS = -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -O1

.PHONY: run test test-sanitize build deps configure bench clean

deps:
	@scripts/install-deps.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release

configure: $(BUILD)/CMakeCache.txt

build: deps configure
	cmake --build $(BUILD) -j $(JOBS)

run: build
	@mkdir -p $(dir $(DB))
	@test -f $(DB) || $(BUILD)/ting demo --db $(DB)
	@echo "Open http://$(LISTEN)/ — demo admin: admin@solbacka.example / demo-admin-2026 (resident: sara@solbacka.example / demo-resident-2026)"
	$(BUILD)/ting serve --db $(DB) --listen $(LISTEN)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 1200

# Every test again on a Debug build (asserts on) under AddressSanitizer and UndefinedBehaviorSanitizer:
# a memory error, a leak or undefined behaviour fails the test. CI runs it after `make test`.
$(BUILD_SANITIZE)/CMakeCache.txt:
	cmake -S . -B $(BUILD_SANITIZE) -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS="$(SANITIZE_FLAGS)" \
	  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined"

test-sanitize: deps $(BUILD_SANITIZE)/CMakeCache.txt
	cmake --build $(BUILD_SANITIZE) -j $(JOBS)
	cd $(BUILD_SANITIZE) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/sanitize/lsan.supp UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j $(JOBS) --timeout 1800

bench: build
	bench/run-all.sh

clean:
	rm -rf $(BUILD) $(BUILD_SANITIZE)
