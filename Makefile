# The course's commands. Each target first makes sure .venv exists and matches
# requirements.txt (created or refreshed on demand), so a fresh clone needs only `make run`
# or `make test`.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NOTEBOOKS := $(sort $(wildcard notebooks/0*.ipynb))
EXECUTE := $(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	--ExecutePreprocessor.timeout=-1 --ExecutePreprocessor.record_timing=False

export TF_CPP_MIN_LOG_LEVEL := 3
export PYTHONHASHSEED := 0

SUBMISSIONS ?=
ONLY ?=
TIMEOUT ?= 300

.PHONY: help setup run test unit-test notebook-test lab app lint student grade bench html clean-scratch

help:
	@echo "make run    execute every notebook in the full profile and regenerate reports/ and models/"
	@echo "make test   unit tests + notebooks under nbval in the quick profile (what CI runs)"
	@echo "make lab    open the course in JupyterLab"
	@echo "make app    serve the drawing page on http://127.0.0.1:7860 (LAN=1 for other devices, MODEL=file.tflite)"
	@echo "make bench  train the official Keras example and our improved CNN side by side (~8 min)"
	@echo "make html   export the executed notebooks and the report to HTML in scratch/html/"
	@echo "make lint   ruff over helpers/ and tests/"
	@echo "make student                 build the student edition in dist/student/"
	@echo "make grade SUBMISSIONS=dir   grade one folder per student into scratch/grades/"

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

run: $(STAMP)
	@for nb in $(NOTEBOOKS); do \
		echo "== executing $$nb (full profile)"; \
		MNIST_COURSE_PROFILE=full $(EXECUTE) $$nb || exit 1; \
	done
	MNIST_COURSE_PROFILE=full $(BIN)/python -m helpers.report

# The report is built last, from the metrics the quick notebook run has just written.
test: unit-test notebook-test
	MNIST_COURSE_PROFILE=quick $(BIN)/python -m helpers.report --profile quick

# The browser test drives Debian's chromium: installed here when missing (needs apt-get).
unit-test: $(STAMP)
	.ci/install-chromium
	MNIST_COURSE_PROFILE=quick $(BIN)/python -m pytest tests/

notebook-test: $(STAMP)
	MNIST_COURSE_PROFILE=quick $(BIN)/python -m pytest --nbval-lax --nbval-current-env notebooks/

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

app: $(STAMP)
	$(BIN)/python -m helpers.app $(if $(MODEL),--model $(MODEL)) $(if $(LAN),--lan)

lint: $(STAMP)
	$(BIN)/ruff check helpers tests

student: $(STAMP)
	$(BIN)/python -m helpers.student_edition --source notebooks --out dist/student --force

grade: $(STAMP)
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade SUBMISSIONS=dir [ONLY='04_train 05_evaluate'] [TIMEOUT=300]"; exit 2; }
	$(BIN)/python -m helpers.grader $(SUBMISSIONS) --out scratch/grades --timeout $(TIMEOUT) $(if $(ONLY),--notebooks $(ONLY))

bench: $(STAMP)
	MNIST_COURSE_PROFILE=full $(BIN)/python -m helpers.benchmark

html: $(STAMP)
	$(BIN)/python -m helpers.html_export

clean-scratch:
	rm -rf scratch
