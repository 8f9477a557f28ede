# 常青 — two commands on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml package.json package-lock.json 2>/dev/null | cksum | cut -d' ' -f1)
VENDOR := var/vendor/.installed-$(shell cat package-lock.json 2>/dev/null | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
# Two or more workers (one per core); the tests of the shared demo stay together on one of them.
PYTEST_XDIST ?= -n auto --dist loadgroup

.PHONY: setup run test bench soak browser-deps fonts speech clean

setup: $(STAMP) $(VENDOR)

$(STAMP): pyproject.toml
	@$(PY) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "需要 Python 3.11 或更高版本（当前：$$($(PY) --version 2>&1)）。可用 make run PY=python3.12 指定。"; exit 1; }
	@test -x $(BIN)/python || $(PY) -m venv $(VENV) || { echo "无法创建虚拟环境：Debian 上请先安装 python3-venv。"; exit 1; }
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	@rm -f $(VENV)/.installed-*
	@touch $@

# htmx and ECharts come from the npm registry at set-up and are served locally (no CDN).
$(VENDOR): package.json package-lock.json
	@command -v npm >/dev/null || { echo "未找到 npm：htmx 和 ECharts 从 npm 安装。Debian 上请先安装 nodejs 和 npm。"; exit 1; }
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	@mkdir -p var/vendor
	cp node_modules/htmx.org/dist/htmx.min.js node_modules/echarts/dist/echarts.min.js var/vendor/
	@rm -f var/vendor/.installed-*
	@touch $@

run: setup
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo --scale county --if-empty
	@echo "常青已启动：http://$(HOST):$(PORT)/  （按 Ctrl+C 停止）"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# Browser tests need Debian's chromium and a CJK font; installed when we are root.
browser-deps:
	@if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
		echo "正在安装 chromium 和中文字体（Debian 软件包）…"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	else \
		echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
		echo "!! 未找到 /usr/bin/chromium，且当前不是 root，无法安装：浏览器测试将被跳过。"; \
		echo "!! Chromium not found and not root: browser tests will be SKIPPED."; \
		echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
	fi

# The monthly bulletin (月通报), the appraisal and election documents (Word) and the upward statistics tables
# (Excel) are converted to PDF by LibreOffice (Writer and Calc) with the Noto CJK
# glyphs embedded; pdftoppm (poppler-utils) renders its pages for checking.
fonts:
	@if command -v soffice >/dev/null && command -v pdftoppm >/dev/null && fc-list 2>/dev/null | grep -qi "Noto Serif CJK" \
		&& dpkg -s libreoffice-calc-nogui >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
		echo "正在安装 LibreOffice（无界面，文字处理和电子表格）、poppler-utils 和中文字体（Debian 软件包）…"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils fonts-noto-cjk >/dev/null; \
	else \
		echo "!! 未找到 LibreOffice，且当前不是 root：月通报只生成 Word 文件，PDF 测试将被跳过。"; \
	fi

# 朗读 (read-aloud) synthesises Mandarin on the server with espeak-ng's cmn voice (core/speech.py): government
# intranets have no online speech service. Without it the page falls back to the browser's own voice.
speech:
	@if command -v espeak-ng >/dev/null; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
		echo "正在安装 espeak-ng（朗读用的普通话语音合成，Debian 软件包）…"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq espeak-ng >/dev/null; \
	else \
		echo "!! 未找到 espeak-ng，且当前不是 root：服务器朗读不可用（页面改用浏览器自带语音），朗读合成测试将被跳过。"; \
	fi

# The layer contracts (pyproject.toml [tool.importlinter]) are checked before the tests run.
test: setup browser-deps fonts speech
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q $(PYTEST_XDIST) $(PYTEST_ARGS)

# Benchmarks run against the machine's PostgreSQL (see changqing/bench/README.md).
bench: setup
	$(BIN)/python -m changqing.bench $(BENCH_ARGS)

# Soak: gunicorn on PostgreSQL with the city demo, 20 users for SOAK_MINUTES (10) minutes (Locust on
# loopback); reports errors, p50/p95 per page, worker memory and lost writes (var/soak/report.md).
SOAK_ARGS ?=
soak: setup
	@$(BIN)/python -c 'import locust' 2>/dev/null || $(BIN)/pip install --quiet -e ".[dev,soak]"
	$(BIN)/python -m changqing.bench.soak $(SOAK_ARGS)

clean:
	rm -rf $(VENV) node_modules var/vendor var/static
