"""HTML to PDF through the system's headless Chromium: no rendering stack of our own, so a PDF
shows what the browser shows for the same HTML.

The browser is ``$REVINTEL_CHROMIUM`` when set, else the first of ``chromium``,
``chromium-browser`` and ``google-chrome`` on the ``PATH``.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

logger = logging.getLogger(__name__)

#: Environment variable naming the browser binary.
BROWSER_VARIABLE = "REVINTEL_CHROMIUM"
#: Browser binaries looked for on the ``PATH``, in order.
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome")
#: Seconds a PDF may take before the browser is stopped.
PDF_TIMEOUT_SECONDS = 60.0


class PdfError(RuntimeError):
    """No PDF could be made: no browser is installed, or it failed or took too long."""


def find_browser() -> str:
    """The path of the headless browser to print with.

    Raises
    ------
    PdfError
        ``$REVINTEL_CHROMIUM`` names no executable file, or none of :data:`BROWSER_NAMES` is
        installed.
    """
    named = os.environ.get(BROWSER_VARIABLE, "").strip()
    if named:
        found = shutil.which(named)
        if found is None:
            raise PdfError(f"{BROWSER_VARIABLE}={named!r} is not an executable browser")
        return found
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise PdfError(
        "no headless browser to print the PDF with: install Chromium (chromium, "
        f"chromium-browser or google-chrome on the PATH) or set {BROWSER_VARIABLE}"
    )


def html_to_pdf(html: str, timeout: float = PDF_TIMEOUT_SECONDS) -> bytes:
    """The PDF of the self-contained HTML document ``html``, printed by headless Chromium.

    Raises
    ------
    PdfError
        No browser is installed, it failed, or it took longer than ``timeout`` seconds.
    """
    browser = find_browser()
    with tempfile.TemporaryDirectory(prefix="revintel-pdf-") as folder:
        page, out = Path(folder) / "page.html", Path(folder) / "page.pdf"
        page.write_text(html, encoding="utf-8")
        command = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            # A profile of its own: printing never waits on a running browser's lock.
            f"--user-data-dir={Path(folder) / 'profile'}",
            f"--print-to-pdf={out}",
            page.as_uri(),
        ]
        try:
            done = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise PdfError(f"the browser took longer than {timeout:g} s to print the PDF") from None
        except OSError as exc:
            raise PdfError(f"the browser {browser} could not be started: {exc}") from None
        if not out.is_file() or out.stat().st_size == 0:
            tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
            raise PdfError(
                f"the browser {browser} printed no PDF (exit {done.returncode}): "
                + " | ".join(tail)
            )
        logger.info("PDF printed by %s: %d bytes", browser, out.stat().st_size)
        return out.read_bytes()
