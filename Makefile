# The two commands a newcomer needs (see README.md):
#   make quickstart   install what is missing, build, walk the quickstart on SQLite
#   make test         install what is missing, build with sanitizers, run every test
# against a throwaway PostgreSQL server on 127.0.0.1, run the fuzzers (fuzz/) on
# 20,000 inputs each, and build the container image (beside the rest) and run every
# step in it (scripts/test.sh).
# The sanitizer build is unoptimised (fast to compile); the image build compiles
# the shipped optimised build (-O2), where some of g++'s warnings (errors here)
# only appear, and `make quickstart` builds the same way.
BUILD      ?= build/release
TEST_BUILD ?= build/test
JOBS       ?= $(shell nproc)

FUZZ_SECONDS ?= 600
PREFIX       ?= /usr/local

.PHONY: setup build quickstart quickstart-repo fabric-example test fuzz image bench install clean

setup:
	@bash scripts/install-deps.sh

build: setup
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCONVERGE_TESTS=OFF >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

quickstart: build
	@bash scripts/quickstart.sh $(abspath $(BUILD))/steps

# The quickstart repository without the walk, its BI runtime left running, for trying
# the commands by hand (docs/quickstart.md).
quickstart-repo: build
	@bash scripts/quickstart.sh --prepare $(abspath $(BUILD))/steps

# The Fabric example (examples/fabric) deployed to converge's local Fabric server.
fabric-example: build
	@bash scripts/fabric-example.sh $(abspath $(BUILD))/steps

test: setup
	@bash scripts/test.sh $(abspath $(TEST_BUILD)) $(JOBS)

# Every fuzz target (fuzz/, clang-19 + ASan/UBSan) for FUZZ_SECONDS in all; make test
# runs each on 20,000 inputs from a fixed seed. docs/fuzzing.md.
fuzz: setup
	@FUZZ_SECONDS=$(FUZZ_SECONDS) bash scripts/fuzz.sh

# The one container image with every step (buildah, no Docker engine needed).
image: setup
	@bash scripts/build-image.sh

# The steps under PREFIX/bin, with bash and zsh completion and man pages generated
# from the steps' own flags (DESTDIR is honoured, as cmake --install does).
install: build
	@cmake --install $(BUILD) --prefix $(PREFIX) --strip

# The benchmarks (bench/README.md) in an optimised build of their own, build/bench,
# whose steps the cases run: `make build`'s is not needed.
bench: setup
	@cmake -S . -B build/bench -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCONVERGE_BENCH=ON >/dev/null
	@cmake --build build/bench -j$(JOBS) --target converge_bench
	@bash scripts/bench.sh build/bench/bench/converge_bench

clean:
	rm -rf build
