# The two commands: `make run` and `make test`. Everything else is a step of those.
BUILD ?= build
JOBS ?= $(shell nproc)
DB ?= var/ting.db
LISTEN ?= 127.0.0.1:8080

.PHONY: run test build deps configure bench clean

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

bench: build
	bench/run-all.sh

clean:
	rm -rf $(BUILD)
