# Two commands on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
STORE := data/dinhlap.gpkg
PORT ?= 8501

NODE_STAMP := node_modules/.installed
JS_FIXTURES := tests/artifacts/js-fixtures

# Leaflet-Geoman (drawing and measuring): its build is copied from the pinned npm package into the app's
# static files and committed, so that `make run` needs no Node; `make vendor` refreshes it after an upgrade.
GEOMAN := node_modules/@geoman-io/leaflet-geoman-free
VENDOR := geo/webmap/static/vendor

.PHONY: run test lint typecheck jslint jstest node vendor unit browser chromium postgis qgis demo bench bench-scale bench-time bench-html bench-cadastral bench-import bench-replicas bench-field bench-province bench-pans clean

$(STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $(STAMP)

## .venv: create the virtual environment and install the pinned requirements
$(VENV): $(STAMP)

## demo: rebuild the embedded demo store from data/src (deterministic)
demo: $(STAMP)
	$(PY) -m geo build-demo --out $(STORE)

$(STORE): | $(STAMP)
	$(PY) -m geo build-demo --out $(STORE)

## run: serve the app on the demo data at http://localhost:$(PORT)
run: $(STAMP) $(STORE)
	$(PY) -m ui.serve --server.port $(PORT)

## chromium: Debian's Chromium for the browser tests (never a downloaded browser)
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; \
	fi
	@/usr/bin/chromium --version

## postgis: Debian's PostgreSQL and PostGIS, for the throwaway server the tests start (no default cluster is made)
postgis:
	@if ! ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql-common >/dev/null && \
	  $$SUDO sed -i 's/^#\?\s*create_main_cluster.*/create_main_cluster = false/' /etc/postgresql-common/createcluster.conf && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql postgresql-postgis >/dev/null; \
	fi
	@ls /usr/lib/postgresql/*/bin/pg_ctl /usr/share/postgresql/*/extension/postgis.control

## qgis: Debian's QGIS (PyQGIS for /usr/bin/python3), the real client the QGIS and field-package tests run headless
qgis:
	@if ! /usr/bin/python3 -c "import qgis.core" >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends python3-qgis qgis-providers >/dev/null; \
	fi
	@QT_QPA_PLATFORM=offscreen /usr/bin/python3 -c "from qgis.core import Qgis; print('QGIS', Qgis.QGIS_VERSION)"

## node: Node.js and npm from Debian if missing, then the pinned npm packages (eslint) from package-lock.json
$(NODE_STAMP): package.json package-lock.json
	@if ! command -v node >/dev/null || ! command -v npm >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nodejs npm >/dev/null; \
	fi
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

node: $(NODE_STAMP)

## vendor: copy Leaflet-Geoman's build from the pinned npm package (package-lock.json) into geo/webmap/static/vendor
vendor: $(NODE_STAMP)
	cp $(GEOMAN)/dist/leaflet-geoman.min.js $(GEOMAN)/dist/leaflet-geoman.css $(VENDOR)/
	cp $(GEOMAN)/LICENSE $(VENDOR)/leaflet-geoman.LICENSE

## jslint: eslint over the map's browser code (geo/webmap/static) and its Node tests
jslint: $(NODE_STAMP)
	npx --no-install eslint geo/webmap/static ui/static tests/js

## jstest: the browser's decoder under Node's test runner, against files the Python encoder writes
jstest: $(STAMP) $(NODE_STAMP)
	rm -rf $(JS_FIXTURES)
	$(PY) tests/js/write_fixtures.py $(JS_FIXTURES)
	DL_FIXTURES=$(JS_FIXTURES) node --test tests/js/

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy geo

## test: lint, types, unit and data tests, AppTest, and the real-browser tests
# (four workers on two cores, since most of a browser test's time is waiting: each test module stays on one
# worker, and the browser modules run in two groups, one Chromium at a time in each: see
# tests/conftest.py's pytest_xdist_make_scheduler; each test's seconds land in tests/artifacts/junit.xml, from
# which BROWSER_SECONDS there is refreshed: `python tests/module_seconds.py`)
test: $(STAMP) $(STORE) chromium postgis qgis lint typecheck jslint jstest
	$(PY) -m pytest -n 4 --durations=30 --junitxml=tests/artifacts/junit.xml

## bench: time-to-map of the overview, export times, and the cadastral-scale table (figures and ratios; not part of `make test`)
bench: $(STAMP) $(STORE) chromium
	$(PY) benchmarks/run.py
	$(PY) benchmarks/export.py
	$(PY) benchmarks/scale.py

## bench-html: the standalone HTML map of 50,000 parcels against plain folium, opened in Chromium
bench-html: $(STAMP) $(STORE) chromium
	$(PY) benchmarks/standalone.py

## bench-time: the map at a date on 50,000 parcels after 10,000 audited edits; date change and compare in Chromium
bench-time: $(STAMP) $(STORE) chromium
	$(PY) benchmarks/asof.py

## bench-cadastral: a land office's 50,000-parcel cadastral file imported, against the forest layer's import
bench-cadastral: $(STAMP) $(STORE)
	$(PY) benchmarks/cadastral.py

## bench-import: a province's 500,000 parcels through `python -m geo import` (time, peak memory) and prints of a view over them
bench-import: $(STAMP) $(STORE)
	$(PY) benchmarks/bigimport.py

## bench-replicas: two app replicas on a throwaway PostGIS server: 50,000-parcel import, 50 sessions, 3 planners, faults
bench-replicas: $(STAMP) $(STORE) postgis
	$(PY) benchmarks/replicas.py

## bench-scale: 1,000 / 10,000 / 50,000 parcels against plain folium + st_folium (a few minutes)
bench-scale: $(STAMP) $(STORE) chromium
	$(PY) benchmarks/scale.py

## bench-pans: what a pan costs on Giao thông (to idle, server and Chromium processor), against an earlier commit in one run
bench-pans: $(STAMP) $(STORE) chromium
	$(PY) benchmarks/pans.py

## bench-province: the cadastral layer from vector tiles (50,000 parcels; DINHLAP_BENCH_PARCELS=500000 for a province), GeoPackage and PostGIS, against plain folium of 1,000
bench-province: $(STAMP) $(STORE) chromium postgis
	$(PY) benchmarks/province.py

## bench-field: a commune's 5,000 parcels packed for the field, and 1,000 changed features merged back (figures)
bench-field: $(STAMP) $(STORE)
	$(PY) benchmarks/field.py

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache tests/artifacts
