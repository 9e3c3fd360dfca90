"""Fixtures shared by the test modules."""
from __future__ import annotations

import os
import shutil

import pytest


@pytest.fixture(scope="session")
def soffice() -> str:
    """LibreOffice's command, for the tests that open results in it; CI installs it (.ci/run)."""
    path = shutil.which("soffice") or shutil.which("libreoffice")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice is needed for this test; .ci/run installs it")
        pytest.skip("LibreOffice is not installed")
    return path
