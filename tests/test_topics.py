"""Any process that reads the log can decode every event it holds: application/ledger.py imports every module that
defines event topics (a bulk catch-up's second process, `gongshi replay`, the verifier import nothing else)."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_importing_the_ledger_imports_every_module_that_defines_event_topics():
    defining = sorted(f"domain.{p.stem}" for p in (ROOT / "domain").glob("*.py")
                      if re.search(r'TOPIC = "gongshi:', p.read_text("utf-8")))
    assert "domain.projects" in defining and "domain.online" in defining
    code = ("import sys, application.ledger; "
            f"print(','.join(m for m in {defining!r} if m not in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "", f"not imported by application/ledger.py: {done.stdout.strip()}"
