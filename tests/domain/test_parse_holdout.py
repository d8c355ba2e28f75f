"""The parser on a held-out corpus written in other people's styles (Cantonese, voice-to-text
run-ons, English-mixed, slash/pipe/tab records, numbered lists, typos, HK/TW/mainland phones,
year-end relative dates). Labels follow shared/corpus/README conventions, not the parser's output.

Scored by the contract's own scorer (shared/corpus/score.py) through a subprocess, so nothing of
the scoring is re-implemented here; skipped when the shared scorer is not present.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HOLDOUT = Path(__file__).resolve().parent / "data" / "styles_holdout.jsonl"
# written after the first round of fixes and labelled before the parser saw it
FRESH = Path(__file__).resolve().parent / "data" / "styles_fresh.jsonl"
SCORER = Path("/work/shared/corpus/score.py")


def _predict(tmp_path: Path, gold: Path) -> Path:
    from datetime import datetime

    from domain.parsing import Parser

    parser = Parser()
    out = tmp_path / "pred.jsonl"
    with gold.open(encoding="utf-8") as src, out.open("w", encoding="utf-8") as dst:
        for line in src:
            row = json.loads(line)
            rec = parser.parse(row["text"], datetime.fromisoformat(row["sent_at"]))
            dst.write(json.dumps({"id": row["id"], **rec.to_contract()}, ensure_ascii=False) + "\n")
    return out


@pytest.mark.parametrize("gold", [HOLDOUT, FRESH], ids=lambda p: p.stem)
def test_holdout_is_well_formed(gold):
    rows = [json.loads(l) for l in gold.read_text(encoding="utf-8").splitlines() if l.strip()]
    assert len(rows) >= (80 if gold == HOLDOUT else 20)
    assert len({r["id"] for r in rows}) == len(rows)
    for r in rows:
        assert r["sent_at"].endswith("+08:00")
        assert set(r["expected"]) == {"kind", "order_ref", "customer_name", "customer_phone", "address",
                                      "delivery_date", "payment", "items", "aftersales_category"}


@pytest.mark.skipif(not SCORER.exists(), reason=f"the shared scorer {SCORER} is not present on this machine")
@pytest.mark.parametrize("gold", [HOLDOUT, FRESH], ids=lambda p: p.stem)
def test_holdout_scores_above_bar(tmp_path, gold):
    pred = _predict(tmp_path, gold)
    done = subprocess.run([sys.executable, str(SCORER), str(gold), str(pred), "--json"],
                          capture_output=True, text=True, check=True, cwd=ROOT)
    res = json.loads(done.stdout)
    report = {f: round(d["f1"], 3) for f, d in res["fields"].items()}
    report["items"] = round(res["items"]["f1"], 3)
    assert res["missing_predictions"] == 0
    assert res["overall"] >= 0.95, (res["overall"], report, res["worst"])
    assert min(report.values()) >= 0.90, (report, res["worst"])
