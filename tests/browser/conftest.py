"""A real browser (Debian's chromium, driven by Playwright) against real processes, as tests/e2e starts them.

Screenshots go to the test's tmp_path and are copied to $SCREENSHOTS_DIR (default var/screenshots/).
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.e2e.conftest import pytest_runtest_makereport, start_stack  # noqa: F401 (fixtures and hook)
from tests.support import ROOT, process_env

CHROMIUM = "/usr/bin/chromium"
# No browser download works here: Playwright drives the system's chromium with these flags.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
PASSWORD = "browser-test-password"


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (.ci/run does)", pytrace=False)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def screenshot(tmp_path):
    """`screenshot(page, name[, part])`: a full-page PNG (or one locator's) in tmp_path, copied to
    $SCREENSHOTS_DIR or var/screenshots/."""
    keep = Path(os.environ.get("SCREENSHOTS_DIR") or ROOT / "var" / "screenshots")
    keep.mkdir(parents=True, exist_ok=True)

    def take(page, name: str, part=None) -> Path:
        """The whole page, or only the locator `part` (one section of a long page)."""
        path = tmp_path / f"{name}.png"
        (part.screenshot(path=str(path)) if part is not None else page.screenshot(path=str(path), full_page=True))
        shutil.copy(path, keep / path.name)
        return path

    return take


def set_password(stack, name: str = "oncall-sre", password: str = PASSWORD) -> None:
    """Through the command a person uses: `incidents user set-password NAME`, the password on stdin."""
    subprocess.run(
        [sys.executable, "-m", "cli.main", "user", "set-password", name],
        input=password + "\n",
        text=True,
        env=process_env(stack.settings),
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
