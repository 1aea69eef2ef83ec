"""Headless Chromium for the tests that look at a rendered page (the web page, the eval report)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.remote.webdriver import WebDriver


def headless_chromium(width: int, height: int) -> Iterator[WebDriver]:
    """Yield a driver for Debian's chromium, or skip with how to install it."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if browser is None or driver_path is None:
        pytest.skip(
            "headless Chromium and chromedriver are needed: `apt-get install chromium chromium-driver` "
            "(scripts/setup.sh installs them when run as root)"
        )
    options = Options()
    options.binary_location = browser
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--window-size={width},{height}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    yield driver
    driver.quit()
