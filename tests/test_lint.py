"""ruff is part of the suite: the code stays lint-clean."""

from __future__ import annotations

import shutil
import subprocess
import sys

from tests.conftest import REPO


def test_ruff_is_clean() -> None:
    ruff = shutil.which("ruff") or str(REPO / ".venv" / "bin" / "ruff")
    result = subprocess.run(
        [ruff, "check", "--no-cache", "."], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert sys.version_info >= (3, 11)
