# A thin front over CMake. The two commands of the README:
#   make run    install what is missing, build, migrate and list the sample (SQLite)
#   make test   install what is missing, run every test (real servers included)
BUILD ?= build/release

.PHONY: all build run test clean

all: build

build:
	bash scripts/deps.sh build
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DDBM_UNIT_TESTING=OFF >/dev/null
	cmake --build $(BUILD) -j$$(nproc)

run: build
	./$(BUILD)/dbmigrate migrate
	./$(BUILD)/dbmigrate info

test:
	bash scripts/test.sh

clean:
	rm -rf build
