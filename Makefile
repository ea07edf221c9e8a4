# The course's commands. Each target first makes sure .venv exists and matches
# requirements.txt (created or refreshed on demand), so a fresh clone needs only `make run`
# or `make test`.

VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# make test's jobs print one after the other (GNU make 4.0 and later; macOS's 3.81 mixes them)
SYNC_OUTPUT := $(if $(filter output-sync,$(.FEATURES)),--output-sync=target)
# The Pythons the course supports are pyproject.toml's requires-python (">=X.Y,<X.Z" clauses):
# PYTHON=... to choose, otherwise the first supported one on PATH.
REQUIRES_PYTHON := $(shell sed -n 's/^requires-python *= *"\(.*\)"/\1/p' pyproject.toml)
IS_SUPPORTED := import sys; v = sys.version_info[:3]; n = lambda s: tuple(map(int, s.split("."))); \
	sys.exit(not all(v >= n(c[2:]) if c[:2] == ">=" else v < n(c[1:]) for c in "$(REQUIRES_PYTHON)".split(",")))
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c '$(IS_SUPPORTED)' 2>/dev/null && { echo $$p; break; }; done)

# As root (containers, cloud VMs, CI) Jupyter refuses to start without --allow-root.
ALLOW_ROOT = $(if $(filter 0,$(shell id -u)),--allow-root)
SAY_ROOT = $(if $(ALLOW_ROOT),@echo "running as root (a container or a cloud VM?): JupyterLab starts with --allow-root")
# The student's lab: student_lab/ (Jupyter config, put on JUPYTER_CONFIG_PATH) turns nbgrader's
# instructor extensions off; make formgrader is the instructor's.
STUDENT_LAB = JUPYTER_CONFIG_PATH="$(CURDIR)/student_lab$(if $(JUPYTER_CONFIG_PATH),:$(JUPYTER_CONFIG_PATH))"

export TF_CPP_MIN_LOG_LEVEL := 3
# TensorFlow's oneDNN CPU kernels on (why: ONEDNN_ENV_VAR in helpers/__init__.py)
export TF_ENABLE_ONEDNN_OPTS ?= 1
export PYTHONHASHSEED := 0

SUBMISSIONS ?=
TIMEOUT ?= 300
SANDBOX ?= bubblewrap
MEMORY ?= 4G
COURSE ?= grading
WORKERS ?=
THREADS ?=
SHARD ?=
SHARDS ?=
REGRADE ?=
FROM ?=
PROFILE ?=
STUDENTS ?=

.PHONY: help setup run test unit-test unit-test-half unit-test-other-half notebook-test quick-report debian-tools lab formgrader app lint student grade merge-grades grade-synthetic bench site slides pdf clean-scratch

help:
	@echo "make run    execute every notebook in the full profile and regenerate reports/ and models/"
	@echo "            (FROM=06 resumes from notebook 06 after a failure)"
	@echo "make test   unit tests + notebooks under nbval in the quick profile (what CI runs)"
	@echo "make lab    open the course in JupyterLab (also as root, e.g. in a container)"
	@echo "make app    serve the drawing page on http://127.0.0.1:7860 (LAN=1 for other devices, MODEL=file.tflite)"
	@echo "make bench  train the official Keras example and our improved CNN in turn, 3 seeds each (~21 min)"
	@echo "make site   the course as a website, from the notebooks as executed: scratch/site/html/index.html"
	@echo "make slides the run's slide deck with speaker notes, opens offline: reports/slides/index.html"
	@echo "            (PROFILE=quick: the quick run's, in scratch/quick/reports/slides/)"
	@echo "make pdf    the report as one PDF: reports/REPORT.pdf (PROFILE=quick: scratch/quick/reports/);"
	@echo "            STUDENTS=dir: one PDF per student folder of dir (executed notebooks), in pdf/ beside dir"
	@echo "make lint   ruff over helpers/, course_tools/ and tests/"
	@echo "make check-pins   ask pip whether requirements.txt resolves on each Python and platform (needs PyPI)"
	@echo "make colab        write the README's Open-in-Colab links and each notebook's Colab cell"
	@echo "                  (address: Repository under [project.urls] in pyproject.toml)"
	@echo "make environment  write environment.yml (conda, Binder) from requirements.txt"
	@echo "make student                 build the student edition in dist/student/ (nbgrader, in grading/)"
	@echo "make grade SUBMISSIONS=dir   grade one folder per student with nbgrader into grading/ (gradebook,"
	@echo "            feedback, exports/grades.csv), each student's code in a bubblewrap sandbox; WORKERS=n"
	@echo "            (default: one per core), THREADS=n TensorFlow threads per kernel, LANES=1|2 (2: the"
	@echo "            notebooks nothing else reads beside the others; default with 2+ cores per worker), SHARD=K/N,"
	@echo "            TIMEOUT=s per cell, MEMORY=4G per student,"
	@echo "            REGRADE=1 grades again the hand-ins already graded unchanged, SANDBOX=none grades unconfined"
	@echo "make merge-grades SHARDS='dir ...'  merge course folders graded with SHARD=K/N into grading/"
	@echo "make grade-synthetic         grade a synthetic class of 34 students, ten of them cheaters, and check every"
	@echo "            score and that nothing outside their folders changed (WORKERS=n)"
	@echo "make formgrader              JupyterLab with nbgrader's formgrader in the course folder (COURSE=grading)"

setup: $(STAMP)

# uv installs requirements.txt in a third to a half of pip's time (docs/timings.md): it downloads
# in parallel and compiles the bytecode on every core. Its version is pinned in requirements.txt,
# and only its wheel is taken (no build from source). Where uv cannot install (no uv wheel for the
# platform; a package index, proxy or certificate set only for pip), pip installs the same pins.
# (No '#' inside $(shell ...): make before 4.3 reads it as a comment.)
UV_PIN := $(shell sed -n 's/^\(uv==[0-9A-Za-z.]*\).*/\1/p' requirements.txt)

# The kernel config sends C-level output (TensorFlow's start-up banner) to the terminal that
# runs Jupyter instead of into the notebooks, whatever order a notebook imports things in.
$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || { test -n "$(PYTHON)" && $(PYTHON) -c '$(IS_SUPPORTED)' 2>/dev/null; } || { \
		echo "error: the course needs Python $(REQUIRES_PYTHON) (requires-python in pyproject.toml);" \
			"$(if $(PYTHON),$(PYTHON) is not one,none is on PATH). Install one, or name it: make PYTHON=/path/to/python3.12 ..." \
			"On Debian 12 or Ubuntu 24.04: sudo apt-get install python3-venv; on Ubuntu 22.04:" \
			"sudo apt-get install python3.11-venv, then make PYTHON=python3.11 ..." >&2; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --only-binary=:all: $(UV_PIN) && \
		$(BIN)/python -m uv pip install --quiet --python $(BIN)/python --compile-bytecode -r requirements.txt || { \
		echo "uv could not be installed or could not install requirements.txt (above: why); pip installs it instead"; \
		$(BIN)/python -m pip install --quiet -r requirements.txt; }
	$(BIN)/python -m pip install --quiet --no-deps -e .
	mkdir -p $(VENV)/etc/ipython
	printf 'c.IPKernelApp.capture_fd_output = False\n' > $(VENV)/etc/ipython/ipython_kernel_config.py
	touch $(STAMP)

run: $(STAMP)
	MNIST_COURSE_PROFILE=full $(BIN)/python -m course_tools.run_notebooks $(if $(FROM),--from $(FROM))
	MNIST_COURSE_PROFILE=full $(BIN)/python -m course_tools.reporting.report --update-readme

# make test runs three jobs side by side, each printing its output when it ends: the notebooks
# under nbval then the quick report (built from the metrics that run has just written), and the
# unit tests in two halves of similar length (UNIT_TEST_HALF: course_tools/'s tests and the
# notebooks' own in tests/notebooks/; the other half: the rest of tests/). Much of a unit test's
# time is waiting (kernels and browsers starting, subprocesses), so a third job uses the cores
# that two jobs left idle (docs/timings.md has the measurements). --keep-going: a failing job
# stops none of the others, and make test fails. The makes that the tests start inherit none of
# these flags (MAKEFLAGS=).
UNIT_TEST_HALF := tests/course_tools tests/notebooks

test: $(STAMP)
	@echo "the notebooks and the unit tests (in two halves) run side by side$(if $(SYNC_OUTPUT),; each prints its output when it ends)"
	@$(MAKE) --no-print-directory $(SYNC_OUTPUT) --keep-going -j3 quick-report unit-test-half unit-test-other-half

unit-test-half: $(STAMP) debian-tools
	MAKEFLAGS= MNIST_COURSE_PROFILE=quick $(BIN)/python -m pytest $(UNIT_TEST_HALF)

unit-test-other-half: $(STAMP) debian-tools
	MAKEFLAGS= MNIST_COURSE_PROFILE=quick $(BIN)/python -m pytest tests/ $(addprefix --ignore=,$(UNIT_TEST_HALF))

quick-report: notebook-test debian-tools
	MNIST_COURSE_PROFILE=quick $(BIN)/python -m course_tools.reporting.report --profile quick
	MNIST_COURSE_PROFILE=quick $(BIN)/python -m course_tools.reporting.slides --profile quick
	MNIST_COURSE_PROFILE=quick $(BIN)/python -m course_tools.reporting.pdf --profile quick

# The browser tests and the PDF drive Debian's chromium, the grading tests start bubblewrap
# sandboxes: both installed here when missing (needs apt-get).
debian-tools:
	.ci/install-debian chromium chromium "the browser tests and the PDF"
	.ci/install-debian bwrap bubblewrap "the grading sandbox"

unit-test: $(STAMP) debian-tools
	MAKEFLAGS= MNIST_COURSE_PROFILE=quick $(BIN)/python -m pytest tests/

notebook-test: $(STAMP)
	MNIST_COURSE_PROFILE=quick $(BIN)/python -m pytest --nbval-lax --nbval-current-env notebooks/

lab: $(STAMP)
	$(SAY_ROOT)
	$(STUDENT_LAB) $(BIN)/jupyter lab $(ALLOW_ROOT) notebooks/

# nbgrader's extensions on, formgrader reading the course folder's nbgrader_config.py.
formgrader: $(STAMP)
	@test -f $(COURSE)/nbgrader_config.py || { echo "error: $(COURSE)/ has no nbgrader_config.py:" \
		"make student makes the course folder (COURSE=dir for another)" >&2; exit 2; }
	$(SAY_ROOT)
	cd $(COURSE) && $(abspath $(BIN))/jupyter lab $(ALLOW_ROOT)

app: $(STAMP)
	$(BIN)/python -m helpers.deploy.app $(if $(MODEL),--model $(MODEL)) $(if $(LAN),--lan)

lint: $(STAMP)
	$(BIN)/ruff check helpers course_tools tests

student: $(STAMP)
	$(BIN)/python -m course_tools.classroom.student_edition --source notebooks --out dist/student --course $(COURSE) --force

grade: $(STAMP)
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade SUBMISSIONS=dir [WORKERS=n] [SHARD=K/N] [TIMEOUT=300] [COURSE=grading]"; exit 2; }
	$(BIN)/python -m course_tools.classroom.grading $(SUBMISSIONS) --course $(COURSE) --timeout $(TIMEOUT) --sandbox $(SANDBOX) --memory $(MEMORY) $(if $(WORKERS),--workers $(WORKERS)) $(if $(THREADS),--threads $(THREADS)) $(if $(LANES),--lanes $(LANES)) $(if $(SHARD),--shard $(SHARD)) $(if $(REGRADE),--regrade)

merge-grades: $(STAMP)
	@test -n "$(SHARDS)" || { echo "usage: make merge-grades SHARDS='shard1 shard2 ...' [COURSE=grading]"; exit 2; }
	$(BIN)/python -m course_tools.classroom.merge $(SHARDS) --course $(COURSE)

grade-synthetic: $(STAMP)
	$(BIN)/python -m course_tools.classroom.synthetic_class --timeout $(TIMEOUT) --sandbox $(SANDBOX) --memory $(MEMORY) $(if $(WORKERS),--workers $(WORKERS)) $(if $(THREADS),--threads $(THREADS)) $(if $(LANES),--lanes $(LANES))

bench: $(STAMP)
	MNIST_COURSE_PROFILE=full $(BIN)/python -m course_tools.benchmark --seeds 3

site: $(STAMP)
	$(BIN)/python -m course_tools.site.build

slides: $(STAMP)
	$(BIN)/python -m course_tools.reporting.slides $(if $(PROFILE),--profile $(PROFILE))

# Printed by Debian's chromium (.ci/install-debian installs it; no browser is downloaded).
pdf: $(STAMP)
	$(BIN)/python -m course_tools.reporting.pdf $(if $(STUDENTS),--students $(STUDENTS),$(if $(PROFILE),--profile $(PROFILE)))

.PHONY: check-pins colab environment

# Not part of CI: pip asks PyPI about every Python and platform (a few minutes).
check-pins: $(STAMP)
	$(BIN)/python -m course_tools.pins

colab: $(STAMP)
	$(BIN)/python -m course_tools.colab

environment: $(STAMP)
	$(BIN)/python -m course_tools.environment

clean-scratch:
	rm -rf scratch
