"""Helpers for the credit report tests: an entity with public and no-longer-public records, the verifier's CLI."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

from tests.conftest import TODAY
from tests.portal import ending_penalty, submit
from tests.records import entity, penalty

PUBLIC_PENALTY = "本市监罚〔2024〕1号"
EXPIRED_PENALTY = "本市监罚〔2024〕2号"
WITHDRAWN_PENALTY = "本市监罚〔2024〕3号"
REPO = Path(__file__).resolve().parent.parent


def firm_with_history(platform) -> None:
    """The test company with a penalty in publicity, one past it, one withdrawn (each by the market regulator)."""
    submit(platform, entity(), penalty(1, decision_date="2026-03-01"),
           ending_penalty(2, TODAY - dt.timedelta(days=3)), penalty(3, decision_date="2026-04-01"))
    withdrawal = {"kind": "penalty", "action": "withdraw", "reason": "复议决定撤销", "authority_code":
                  penalty()["authority_code"], "document_number": WITHDRAWN_PENALTY}
    submit(platform, withdrawal)


def verify_cli(path: Path, *args: str) -> subprocess.CompletedProcess:
    """`python -m gongshi_verify report FILE ...` in a fresh process, from the repository root."""
    return subprocess.run([sys.executable, "-m", "gongshi_verify", "report", str(path), *args], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
