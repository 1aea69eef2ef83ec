"""The web page in real headless Chromium: upload an image, ask, open a cited passage, stage a report,
and check a screenshot."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from PIL import Image
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from service.app import create_app
from service.settings import ServiceSettings
from tests.browser import headless_chromium
from tests.service.conftest import REPORT, hashing_settings

pytestmark = [pytest.mark.integration, pytest.mark.slow]

BANNER_RED = (179, 38, 30)


@pytest.fixture(scope="module")
def live_server(case_index: tuple[Path, Path]) -> Iterator[str]:
    index_dir, _ = case_index
    app = create_app(hashing_settings(index_dir), ServiceSettings(warm_on_start=True))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    while httpx.get(f"{base}/readyz").status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.1)
    yield base
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    yield from headless_chromium(1400, 1600)


def _wait_visible(driver: WebDriver, element_id: str) -> None:
    WebDriverWait(driver, 60).until(ec.visibility_of_element_located((By.ID, element_id)))


def test_ask_about_an_image_cite_and_stage(
    live_server: str, browser: WebDriver, case_index: tuple[Path, Path], tmp_path: Path
) -> None:
    browser.get(f"{live_server}/")
    assert "PRELIMINARY — not for diagnostic use" in browser.find_element(By.ID, "banner").text

    # Upload an image and ask: similar cases with thumbnails, domain and k are shown.
    browser.find_element(By.ID, "image").send_keys(str(case_index[1] / "synthchest1.png"))
    browser.find_element(By.ID, "question").send_keys("Is there a pleural effusion?")
    browser.find_element(By.ID, "ask-button").click()
    _wait_visible(browser, "ask-result")
    assert "radiology:chest" in browser.find_element(By.ID, "domain-chosen").text
    assert int(browser.find_element(By.ID, "k-cases").text) >= 1
    thumbnails = browser.find_elements(By.CSS_SELECTOR, "#cases img")
    assert thumbnails and thumbnails[0].get_attribute("alt") == "similar case synthchest1"
    WebDriverWait(browser, 30).until(
        lambda d: d.execute_script("return document.querySelector('#cases img').naturalWidth") > 0
    )

    # A guideline question: click citation [n] in the answer and see the quoted words highlighted.
    browser.get(f"{live_server}/")
    browser.find_element(By.ID, "question").send_keys(
        "What T category is a 4.5 cm tumour invading the visceral pleura?"
    )
    browser.find_element(By.ID, "ask-button").click()
    _wait_visible(browser, "ask-result")
    assert browser.find_element(By.ID, "answer").text.startswith("T2b")
    marker = browser.find_element(By.CSS_SELECTOR, "#answer button.cite")
    quote = marker.get_attribute("data-quote")
    marker.click()
    _wait_visible(browser, "passage")
    WebDriverWait(browser, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#passage-text mark"))
    assert browser.find_element(By.CSS_SELECTOR, "#passage-text mark").text == quote
    assert browser.find_element(By.ID, "passage-id").text == marker.get_attribute("data-source-id")

    # Stage a report: T, N, M and stage with reasons and citations, as the API returns them.
    expected = httpx.post(f"{live_server}/v1/stage", json={"report": REPORT}).json()
    browser.find_element(By.ID, "report").send_keys(REPORT)
    browser.find_element(By.ID, "stage-button").click()
    _wait_visible(browser, "stage-result")
    summary = browser.find_element(By.ID, "stage-summary").text
    assert summary.startswith(f"c{expected['t']} {expected['n']} {expected['m']}, stage {expected['stage']}")
    rows = browser.find_elements(By.CSS_SELECTOR, "#decisions tbody tr")
    assert [row.get_attribute("data-category") for row in rows] == ["T", "N", "M", "stage"]
    assert expected["decisions"][0]["reason"] in rows[0].text
    rows[0].find_element(By.CSS_SELECTOR, "button.cite").click()
    WebDriverWait(browser, 30).until(
        lambda d: d.find_element(By.ID, "passage-id").text == expected["decisions"][0]["citations"][0]["source_id"]
    )

    # What the clinician sees: the red preliminary banner across the top of the page.
    screenshot = tmp_path / "page.png"
    assert browser.save_screenshot(str(screenshot))
    with Image.open(screenshot) as image:
        rgb = image.convert("RGB")
        assert rgb.width >= 1000
        top = rgb.getpixel((rgb.width // 2, 3))
    assert all(abs(a - b) <= 12 for a, b in zip(top, BANNER_RED, strict=True)), top
