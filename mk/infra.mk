# Infrastructure checks. Included from the main Makefile (`include mk/infra.mk`).
#
# Checkov gets its own virtualenv: checkov 3.3.30 pins pycep-parser 0.5.1, while the
# dev venv needs pycep-parser 0.7.1 for tests/infra/test_bicep.py.

CHECKOV_PYTHON ?= python3.11
CHECKOV_VENV := .venv-checkov
CHECKOV := $(CHECKOV_VENV)/bin/checkov
# Written after a successful install; lives inside the venv, so deleting the venv
# forces a rebuild, and editing requirements-checkov.txt forces a reinstall.
CHECKOV_STAMP := $(CHECKOV_VENV)/.requirements-installed

.PHONY: checkov-venv checkov

checkov-venv: $(CHECKOV)

$(CHECKOV): $(CHECKOV_STAMP)
	@test -x $@ || { echo "$@ is missing after install; delete $(CHECKOV_VENV) and retry" >&2; exit 1; }

$(CHECKOV_STAMP): requirements-checkov.txt
	test -x $(CHECKOV_VENV)/bin/python || $(CHECKOV_PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-checkov.txt
	touch $@

# Human-readable scan (the tests run the same scan with JSON output).
checkov: $(CHECKOV)
	$(CHECKOV) --directory infra --framework bicep --skip-download --compact
