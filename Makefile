# Two commands do everything on a fresh Debian/Ubuntu machine:
#   make run    opens the console on the demo patch with the built-in engine
#   make test   runs the test suite (starts a JACK dummy server for the real-time tests)
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
RUN_PACKAGES := libportaudio2
TEST_PACKAGES := libportaudio2 jackd2 espeak-ng flite sox tmux

.PHONY: run test venv

run: $(STAMP)
	@$(call system_packages,$(RUN_PACKAGES))
	$(VENV)/bin/jam patches/hello.jam

test: $(STAMP)
	@$(call system_packages,$(TEST_PACKAGES))
	OPENBLAS_NUM_THREADS=1 $(PY) -m pytest

venv: $(STAMP)

# torch==2.13.0 first: it is the CPU build pip takes from local disk on our rigs, and the
# project's range accepts it (an unpinned torch would download gigabytes).
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0 || $(PY) -m pip install -q 'torch>=2.2'
	$(PY) -m pip install -q -e '.[dev]'
	@echo "compiling the audio kernels into numba's cache (once; about half a minute)"
	OPENBLAS_NUM_THREADS=1 $(PY) -c 'from engine.kernel import warm_up; warm_up(48000.0)'
	touch $@

# Install the missing Debian packages with apt-get (as root, or through sudo); elsewhere say what to install.
define system_packages
missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
if [ -n "$$missing" ]; then \
  sudo=""; [ "$$(id -u)" = 0 ] || sudo="sudo"; \
  if command -v apt-get >/dev/null; then \
    echo "installing system packages:$$missing"; \
    echo "jackd2 jackd/tweak_rt_limits boolean false" | $$sudo debconf-set-selections; \
    $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing >/dev/null; \
  else \
    echo "Please install these packages (Debian names; PortAudio, JACK 2, espeak-ng, flite, SoX, tmux):$$missing"; exit 1; \
  fi; \
fi
endef
