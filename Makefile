# One entry point for the course. The two commands a user needs:
#   make lab    set everything up, build the corpus, open JupyterLab
#   make test   set everything up, run every test and validate every notebook
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# A CPU build of torch that pip can take quickly; on a CUDA machine PyPI's wheel of the same version has CUDA.
TORCH_SPEC ?= torch==2.13.0
STAMP := $(VENV)/.installed
MODE ?= default
NB_BUDGET ?= 420
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9][0-9]_*.py))
export NUMBA_CACHE_DIR := $(CURDIR)/.numba_cache

.PHONY: setup notebooks corpus lab test test-unit test-notebooks test-browser course bench bench-lessons clean

setup: $(STAMP) notebooks

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q "$(TORCH_SPEC)"
	$(PY) -m pip install -q -e ".[browser]"
	$(PY) -m pip install -q -e ".[metrics]" || echo "note: the pesq package could not be built here; PESQ will be reported as unavailable"
	$(PY) -m pip install -q -e ".[dnsmos]" || echo "note: speechmos/onnxruntime could not be installed here; DNSMOS will be reported as unavailable"
	touch $(STAMP)

# .ipynb files are generated from the jupytext .py sources (never edited by hand)
notebooks: $(STAMP)
	@for src in $(NOTEBOOKS); do \
	  dst=$${src%.py}.ipynb; \
	  if [ ! -f $$dst ] || [ $$src -nt $$dst ]; then $(VENV)/bin/jupytext --quiet --to ipynb --output $$dst $$src; fi; \
	done

# the built-in corpus for MODE, built only when missing or stale (python -m course_lib corpus build rebuilds)
corpus: $(STAMP)
	$(PY) -c "from course_lib.data import ensure_corpus; print('corpus:', ensure_corpus(mode='$(MODE)'))"

lab: setup corpus
	$(VENV)/bin/jupyter lab --ip=127.0.0.1 --no-browser --notebook-dir=notebooks \
	  --LabApp.app_settings_dir=$(CURDIR)/config/jupyterlab \
	  $$( [ "$$(id -u)" = 0 ] && echo --allow-root ) notebooks/00_audio_and_text.ipynb

test: setup test-unit test-notebooks

test-unit: $(STAMP)
	TTS_COURSE_MODE=smoke $(PY) -m pytest -m "not browser" -q

# every notebook top to bottom in smoke mode, each within its own time budget
test-notebooks: notebooks
	@set -e; for src in $(NOTEBOOKS); do nb=$${src%.py}.ipynb; echo "== $$nb"; start=$$(date +%s); \
	  TTS_COURSE_MODE=smoke timeout $(NB_BUDGET) $(PY) -m pytest -q -p no:cacheprovider --nbval-lax \
	    --nbval-current-env --nbval-cell-timeout=$(NB_BUDGET) $$nb || { echo "FAILED (or over $(NB_BUDGET) s): $$nb"; exit 1; }; \
	  echo "   $$nb took $$(( $$(date +%s) - start )) s"; done

# JupyterLab driven in Debian's Chromium (needs: apt-get install chromium)
test-browser: setup
	TTS_COURSE_MODE=smoke $(PY) -m pytest -m browser -q -s

# run every notebook headless in MODE and keep the executed copies in executed/MODE/
course: setup
	mkdir -p executed/$(MODE)
	@set -e; for src in $(NOTEBOOKS); do nb=$${src%.py}.ipynb; \
	  TTS_COURSE_MODE=$(MODE) $(VENV)/bin/jupyter nbconvert --to notebook --execute \
	    --ExecutePreprocessor.timeout=36000 --output-dir executed/$(MODE) $$nb; done

# every lesson (or LESSONS="04 08") run top to bottom in MODE, its seconds; LOAD=1 also beside one CPU-bound job
bench-lessons: setup
	$(PY) benchmarks/bench_lessons.py --mode $(MODE) $(if $(LESSONS),--lessons $(LESSONS)) $(if $(LOAD),--load)

# every benchmark but bench_lessons (it runs the whole course, ≈ 20 min idle: `make bench-lessons`)
bench: setup
	@for b in $(filter-out benchmarks/bench_lessons.py,$(wildcard benchmarks/bench_*.py)); do \
	  echo "== $$b"; $(PY) $$b; done

clean:
	rm -rf executed artifacts notebooks/*.ipynb .pytest_cache
