"""Lesson 03 as a learner meets it: JupyterLab in Debian's Chromium, driven by Playwright.

Starts JupyterLab on 127.0.0.1 (free port, random token) from the project root with
``TTS_COURSE_MODE=smoke``, opens ``notebooks/03_latent_z.ipynb`` (generated from the
jupytext source when missing or stale), runs every cell, moves the temperature slider,
clicks "resample z", and checks that the widget's ``<audio>`` element is there and its
content changed each time. A screenshot goes to ``artifacts/browser_lesson03.png``.

Run with ``make test-browser`` (needs ``apt-get install chromium``; never downloads a browser).
"""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

PROJECT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
SOURCE = PROJECT / "notebooks" / "03_latent_z.py"
NOTEBOOK = PROJECT / "notebooks" / "03_latent_z.ipynb"
ARTIFACTS = PROJECT / "artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
RUN_ALL_TIMEOUT_MS = 150_000  # the whole smoke notebook, kernel start included
UPDATE_TIMEOUT_MS = 60_000  # one widget re-render (synthesis + Griffin-Lim)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _bin(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def _ensure_notebook() -> None:
    """``make notebooks`` for this one file: regenerate the .ipynb when the .py is newer."""
    if not NOTEBOOK.exists() or NOTEBOOK.stat().st_mtime < SOURCE.stat().st_mtime:
        subprocess.run([_bin("jupytext"), "--quiet", "--to", "ipynb", "--output", str(NOTEBOOK), str(SOURCE)],
                       check=True, timeout=120)


@pytest.fixture(scope="module")
def jupyter_lab():
    """(base URL, token) of a JupyterLab server this test owns; stopped afterwards."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's Chromium (apt-get install chromium) to run this test")
    pytest.importorskip("playwright.sync_api", reason="pip install -e '.[browser]' for Playwright")
    _ensure_notebook()
    port, token = _free_port(), hashlib.sha256(os.urandom(16)).hexdigest()[:32]
    command = [_bin("jupyter"), "lab", "--ip=127.0.0.1", f"--port={port}", f"--ServerApp.token={token}",
               "--ServerApp.open_browser=False", "--no-browser", f"--ServerApp.root_dir={PROJECT}",
               "--LabApp.expose_app_in_browser=True"]  # lets the test call JupyterLab commands
    if os.geteuid() == 0:
        command.append("--allow-root")
    # the kernel inherits this: smoke sizes, and inline figures (the test session's MPLBACKEND is Agg)
    env = {**os.environ, "TTS_COURSE_MODE": "smoke", "MPLBACKEND": "module://matplotlib_inline.backend_inline"}
    env.setdefault("OMP_NUM_THREADS", "1")  # small tensors: one thread is faster on a shared 2-core runner
    ARTIFACTS.mkdir(exist_ok=True)
    log = open(ARTIFACTS / "jupyter_lab_lesson03.log", "w")
    server = subprocess.Popen(command, cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.time() > deadline:
                    pytest.fail(f"JupyterLab did not start (see {log.name})")
                time.sleep(0.5)
        yield base, token
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # the server and the kernels it started
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()
        # JupyterLab may have autosaved outputs: put back the clean generated notebook
        subprocess.run([_bin("jupytext"), "--quiet", "--to", "ipynb", "--output", str(NOTEBOOK), str(SOURCE)],
                       check=False, timeout=120)


def _audio_digest(page) -> str:
    """Hash of the widget's audio (the last <audio> on the page: the widget is the last cell)."""
    src = page.locator(".jp-OutputArea-output audio").last.evaluate(
        "a => a.src || (a.querySelector('source') && a.querySelector('source').src) || ''")
    return hashlib.sha256(src.encode()).hexdigest()


def _wait_for_new_audio(page, old: str) -> str:
    deadline = time.time() + UPDATE_TIMEOUT_MS / 1000
    while time.time() < deadline:
        try:
            digest = _audio_digest(page)
            if digest != old and page.locator(".jp-OutputArea-output audio").count():
                return digest
        except Exception:  # the output area is being cleared and redrawn
            pass
        page.wait_for_timeout(500)
    raise AssertionError("the widget's audio did not change within the time limit")


def test_lesson03_widget_in_chromium(jupyter_lab):
    from playwright.sync_api import sync_playwright

    base, token = jupyter_lab
    started = time.time()

    def phase(name: str) -> None:
        print(f"[browser lesson03] {name}: {time.time() - started:.0f} s")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            page.goto(f"{base}/lab/tree/notebooks/03_latent_z.ipynb?token={token}", timeout=90_000)
            page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=90_000)
            page.wait_for_function("() => window.jupyterapp && window.jupyterapp.commands", timeout=60_000)
            page.wait_for_function(  # the notebook's kernel has started and is idle
                "() => { const w = window.jupyterapp.shell.currentWidget;"
                " const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;"
                " return k && k.status === 'idle'; }", timeout=90_000)
            phase("JupyterLab loaded, kernel idle")
            page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")

            # the last cell draws the widget: wait for its button and its first audio
            resample = page.locator("button:has-text('resample z')")
            resample.wait_for(timeout=RUN_ALL_TIMEOUT_MS)
            page.locator(".jp-OutputArea-output audio").last.wait_for(state="attached", timeout=UPDATE_TIMEOUT_MS)
            first = _audio_digest(page)
            phase("all cells ran, widget drawn")

            # move the temperature slider by dragging its handle (fires one change on release)
            slider = page.locator(".widget-slider:has-text('temperature')").first
            slider.scroll_into_view_if_needed()
            handle = slider.locator(".noUi-handle").first
            box = handle.bounding_box()
            page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            page.mouse.down()
            page.mouse.move(box["x"] + box["width"] / 2 + 60, box["y"] + box["height"] / 2, steps=8)
            page.mouse.up()
            readout = slider.locator(".widget-readout").first.inner_text()
            assert abs(float(readout) - 0.67) > 0.04, f"the slider did not move (readout {readout})"
            after_slider = _wait_for_new_audio(page, first)
            phase(f"temperature moved to {readout}, new audio")

            # resample z: a new seed, a new sample
            resample.click()
            after_resample = _wait_for_new_audio(page, after_slider)
            phase("resampled z, new audio")
            assert len({first, after_slider, after_resample}) == 3
            assert page.locator(".jp-OutputArea-output audio").last.is_visible()
            ARTIFACTS.mkdir(exist_ok=True)
            resample.scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / "browser_lesson03.png"), full_page=False)
        finally:
            browser.close()
