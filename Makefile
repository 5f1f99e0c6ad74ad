# Two entry points for a newcomer on a fresh machine:
#   make demo   set up .venv, start the simulator, run playbooks/demo.yml against it, print what happened
#   make test   set up .venv (and .venv-rulebook), run every check (unit + integration tests, the example
#               rulebooks under ansible-rulebook, ansible-test sanity, ansible-lint, changelog lint,
#               benchmark request-count bounds at small sizes)
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SANITY_VENV := .venv-sanity
COLLECTIONS := .cache/collections
DOCS_BUILD := .cache/docs
# Outside the checkout: ansible-test follows the enclosing git repository, which ignores .cache/.
SANITY_ROOT := $(or $(TMPDIR),/tmp)/opencitrix-sanity$(subst /,-,$(CURDIR))
SANITY_COPY := $(SANITY_ROOT)/ansible_collections/opencitrix/automation
PYTEST_WORKERS ?= 2
PIP := pip install --disable-pip-version-check --quiet

# The reliability report (docs/reliability.md) is written from the outcomes of the last `make pytest` by
# `make reliability-report`; `make test` only checks that the committed one is current.
.PHONY: demo test venv rulebook-venv pytest reliability-report reliability-check unit integration core-matrix sanity lint changelog-lint collection-link bench bench-check docs docs-lint molecule clean

# Stamps are keyed on the requirements' content, not their mtimes (a git checkout touches mtimes).
REQ_HASH := $(shell cat requirements.txt requirements-dev.txt | sha256sum | cut -c1-16)
VENV_STAMP := $(BIN)/.installed-$(REQ_HASH)
SANITY_STAMP := $(SANITY_VENV)/.installed-$(REQ_HASH)

$(VENV_STAMP):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/$(PIP) -r requirements-dev.txt
	rm -f $(BIN)/.installed*
	touch $@

venv: $(VENV_STAMP)

# ansible-rulebook in a venv of its own (its dependencies, drools and a JVM bridge among them, stay out of the
# test toolchain), with the collection's runtime requirements and the same ansible-core and ansible-runner as
# .venv: the example rulebooks run under it in tests/integration/test_rulebooks.py, and the playbooks their
# actions start run with its ansible-playbook.
RULEBOOK_VENV := .venv-rulebook
RULEBOOK_PINS := $(shell grep -E '^(ansible-core|ansible-runner)==' requirements-dev.txt)
RULEBOOK_HASH := $(shell (cat requirements.txt requirements-rulebook.txt; echo $(RULEBOOK_PINS)) | sha256sum | cut -c1-16)
RULEBOOK_STAMP := $(RULEBOOK_VENV)/.installed-$(RULEBOOK_HASH)

$(RULEBOOK_STAMP):
	$(PYTHON) -m venv $(RULEBOOK_VENV)
	$(RULEBOOK_VENV)/bin/$(PIP) -r requirements-rulebook.txt -r requirements.txt $(RULEBOOK_PINS)
	rm -f $(RULEBOOK_VENV)/.installed*
	touch $@

rulebook-venv: $(RULEBOOK_STAMP)
	@command -v java >/dev/null || { [ -n "$$JAVA_HOME" ] && [ -x "$$JAVA_HOME/bin/java" ]; } || \
	  { echo 'ansible-rulebook needs Java 17 (java on PATH, or JAVA_HOME): see bindep.txt' >&2; exit 1; }

collection-link:
	@mkdir -p $(COLLECTIONS)/ansible_collections/opencitrix
	@ln -sfn $(CURDIR) $(COLLECTIONS)/ansible_collections/opencitrix/automation

demo: venv collection-link
	$(BIN)/python -m tests.simulator.demo

test: venv pytest reliability-check core-matrix molecule sanity lint changelog-lint docs-lint docs bench-check
	@echo "make test: all checks passed"

# The rulebook tests fail (instead of skipping) when ansible-rulebook is missing.
RULEBOOK_ENV := OPENCITRIX_RULEBOOK=$(CURDIR)/$(RULEBOOK_VENV)/bin/ansible-rulebook OPENCITRIX_REQUIRE_RULEBOOK=1

pytest: venv collection-link rulebook-venv
	$(RULEBOOK_ENV) $(BIN)/python -m pytest tests/unit tests/integration -n $(PYTEST_WORKERS) -q --durations=15

reliability-report: venv collection-link
	$(BIN)/python -m tests.reliability_report docs/reliability.md

reliability-check: venv collection-link
	$(BIN)/python -m tests.reliability_report --check docs/reliability.md

unit: venv collection-link
	$(BIN)/python -m pytest tests/unit -q

integration: venv collection-link rulebook-venv
	$(RULEBOOK_ENV) $(BIN)/python -m pytest tests/integration -n $(PYTEST_WORKERS) -q

# The older ansible-core minors that meta/runtime.yml admits (the main toolchain in .venv has the newest): each gets
# its own venv with the runtime requirements and only the test tools the smoke tests import, and runs the tests
# marked core_matrix (real ansible-inventory and ansible-playbook against the simulator). Full sanity stays on the
# newest core.
CORE_MATRIX := 2.16.19 2.17.14 2.18.19
CORE_TEST_PINS := $(shell grep -E '^(pytest|hypothesis|trustme)==' requirements-dev.txt)
core_venv = .venv-core-$(basename $(1))
CORE_STAMPS := $(foreach core,$(CORE_MATRIX),$(call core_venv,$(core))/.installed-$(core)-$(REQ_HASH))

define CORE_VENV_RULE
$(call core_venv,$(1))/.installed-$(1)-$(REQ_HASH):
	$(PYTHON) -m venv $(call core_venv,$(1))
	$(call core_venv,$(1))/bin/$(PIP) ansible-core==$(1) -r requirements.txt $(CORE_TEST_PINS)
	rm -f $(call core_venv,$(1))/.installed*
	touch $$@
endef
$(foreach core,$(CORE_MATRIX),$(eval $(call CORE_VENV_RULE,$(core))))

CORE_WORK := .cache/core-matrix
core-matrix: collection-link
	@$(MAKE) --no-print-directory -j $(words $(CORE_MATRIX)) $(CORE_STAMPS)
	@rm -rf $(CORE_WORK) && mkdir -p $(CORE_WORK); pids=; \
	for core in $(CORE_MATRIX); do \
	  .venv-core-$${core%.*}/bin/python -m pytest tests/integration/test_core_matrix.py -m core_matrix -q \
	      --basetemp=$(CURDIR)/$(CORE_WORK)/tmp-$$core > $(CORE_WORK)/$$core.log 2>&1 & pids="$$pids $$!"; \
	done; \
	status=0; set -- $(CORE_MATRIX); \
	for pid in $$pids; do wait $$pid || status=1; echo "== ansible-core $$1"; cat $(CORE_WORK)/$$1.log; shift; done; \
	exit $$status

# ansible-test needs the collection under .../ansible_collections/opencitrix/automation and resolves
# symlinks, so it runs on a copy of the tracked (and new, not ignored) files, in its own venv so its
# pinned linters never touch the test toolchain.
$(SANITY_STAMP):
	$(PYTHON) -m venv $(SANITY_VENV)
	$(SANITY_VENV)/bin/$(PIP) "$$(grep '^ansible-core==' requirements-dev.txt)"
	rm -f $(SANITY_VENV)/.installed*
	touch $@

sanity: $(SANITY_STAMP)
	rm -rf $(SANITY_ROOT) && mkdir -p $(SANITY_COPY)
	git ls-files -z --cached --others --exclude-standard | xargs -0 -I{} cp --parents -P {} $(SANITY_COPY)/ 2>/dev/null || true
	if [ -x ../shared/tools/ansible-test-offline ]; then PATH=$(CURDIR)/$(SANITY_VENV)/bin:$$PATH ../shared/tools/ansible-test-offline; fi
	cd $(SANITY_COPY) && PATH=$(CURDIR)/$(SANITY_VENV)/bin:$$PATH ansible-test sanity --local --python 3.11 --requirements --color no $(SANITY_ARGS)

lint: venv collection-link
	PATH=$(CURDIR)/$(BIN):$$PATH ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/$(COLLECTIONS) ansible-lint --offline --profile production

# Molecule scenarios of the roles (extensions/molecule/*), against one simulator started for them and
# stopped afterwards. The scenarios get its environment (CITRIX_*, XENMOBILE_*, ...) from the file it
# writes, as AWX credentials would inject it; product variables of the calling shell are dropped first.
# `molecule reset` first: without create/destroy steps, molecule would otherwise remember an earlier run's
# "prepared" state and skip the prepare step that sets the simulator up.
MOLECULE_WORK := .cache/molecule
molecule: venv collection-link
	@rm -rf $(MOLECULE_WORK) && mkdir -p $(MOLECULE_WORK)
	@$(BIN)/python -m tests.simulator --size 100 --time-scale 50 --workdir $(CURDIR)/$(MOLECULE_WORK) \
	    --env-file $(MOLECULE_WORK)/simulator.env > $(MOLECULE_WORK)/simulator.log 2>&1 & sim=$$!; \
	trap 'kill $$sim 2>/dev/null; wait $$sim 2>/dev/null' EXIT; \
	for i in $$(seq 300); do [ -f $(MOLECULE_WORK)/simulator.env ] || ! kill -0 $$sim 2>/dev/null && break; sleep 0.1; done; \
	[ -f $(MOLECULE_WORK)/simulator.env ] || { cat $(MOLECULE_WORK)/simulator.log; exit 1; }; \
	unset $$(compgen -e | grep -E '^(CITRIX|XENSERVER|XENMOBILE|STOREFRONT)_'); \
	. $(MOLECULE_WORK)/simulator.env; \
	export PATH=$(CURDIR)/$(BIN):$$PATH ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/$(COLLECTIONS) \
	    XDG_CACHE_HOME=$(CURDIR)/$(MOLECULE_WORK)/xdg-cache NO_COLOR=1; \
	$(BIN)/molecule reset --all > $(MOLECULE_WORK)/reset.log 2>&1 && $(BIN)/molecule test --all

# Benchmarks: `make bench` measures at fleet sizes (times and ratios); `make bench-check` runs small
# sizes and fails only when a request count exceeds its bound (part of `make test`).
bench: venv collection-link
	$(BIN)/python -m bench.run

bench-check: venv collection-link
	$(BIN)/python -m bench.run --quick --output bench/results/quick.json

# Documentation: every module and plugin plus the guides in docs/docsite, built offline into docs/_site.
docs-lint: venv collection-link
	PATH=$(CURDIR)/$(BIN):$$PATH ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/$(COLLECTIONS) antsibull-docs lint-collection-docs --plugin-docs .

docs: venv collection-link
	rm -rf $(DOCS_BUILD) && mkdir -p .cache && mkdir -m 755 $(DOCS_BUILD)
	PATH=$(CURDIR)/$(BIN):$$PATH ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/$(COLLECTIONS) antsibull-docs sphinx-init --use-current --dest-dir $(DOCS_BUILD) opencitrix.automation
	printf "\n# Offline build: no intersphinx inventories to download.\nintersphinx_mapping = {}\nsuppress_warnings = ['ref.ref', 'ref.envvar']\n" >> $(DOCS_BUILD)/conf.py
	cd $(DOCS_BUILD) && PATH=$(CURDIR)/$(BIN):$$PATH ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/$(COLLECTIONS) ./build.sh > build.log 2>&1 || (tail -40 build.log; exit 1)
	rm -rf docs/_site && cp -r $(DOCS_BUILD)/build/html docs/_site
	@for page in $$(basename -s .py plugins/modules/*.py | sed 's/$$/_module/') $$(basename -s .py plugins/inventory/*.py | sed 's/$$/_inventory/') \
	    $$(basename -a roles/*/ | sed 's/$$/_role/') $$(basename -s .rst docs/docsite/rst/*.rst | sed 's|^|docsite/|'); do \
	  [ -f docs/_site/collections/opencitrix/automation/$$page.html ] || { echo "docs: no page for $$page"; exit 1; }; done
	@echo "docs: open docs/_site/index.html"

changelog-lint: venv
	$(BIN)/antsibull-changelog lint

clean:
	rm -rf .cache tests/output bench/results
