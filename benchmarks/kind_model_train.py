"""Train the naive-Bayes kind model and compare it with the rules (prints figures).

    python3 benchmarks/kind_model_train.py [--write] [--extra GOLD.jsonl ...]

* 5-fold cross-validation over the labelled sets (dev, styles, fresh): kind accuracy of the
  rules alone, the model alone, and rules with the model as the fallback where the rules find
  no kind (what the parser ships);
* with ``--extra``: the same three on further gold files the model is not trained on;
* ``--write`` trains on all labelled sets and writes domain/parsing/data/kind_nb.json.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import replace
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from domain.parsing import Parser  # noqa: E402
from domain.parsing import kind_model  # noqa: E402
from domain.parsing.model import KINDS  # noqa: E402

DATA = ROOT / "tests" / "domain" / "data"
SETS = [ROOT / ".." / "shared" / "corpus" / "dev.jsonl", DATA / "styles_holdout.jsonl", DATA / "styles_fresh.jsonl",
        DATA / "fresh_generated.jsonl", DATA / "fresh_handwritten.jsonl", DATA / "fresh_blind.jsonl"]
OUT = ROOT / "domain" / "parsing" / "data" / "kind_nb.json"


def rows_of(paths):  # type: ignore[no-untyped-def]
    out = []
    for p in paths:
        for line in Path(p).read_text(encoding="utf-8").splitlines():
            if line.strip():
                r = json.loads(line)
                out.append((r["text"], datetime.fromisoformat(r["sent_at"]), r["expected"]["kind"]))
    return out


def evaluate(parser: Parser, model: kind_model.KindModel | None, rows) -> tuple[float, float, float]:  # type: ignore[no-untyped-def]
    rules = nb = hybrid = 0
    for text, at, gold in rows:
        plain = parser.parse(text, at, use_model=False)
        rules += plain.kind == gold
        if model is not None:
            post = model.posterior(parser.simplify(text))
            nb += max(post, key=post.get) == gold
            parser_with = replace_model(parser, model)
            hybrid += parser_with.parse(text, at).kind == gold
    n = len(rows)
    return rules / n, nb / n, hybrid / n


def replace_model(parser: Parser, model: kind_model.KindModel) -> Parser:
    parser.kind_model = model
    return parser


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--extra", nargs="*", default=[])
    args = ap.parse_args(argv)
    parser = Parser()
    rows = rows_of(SETS)
    random.Random(7).shuffle(rows)
    folds = 5
    sums = [0.0, 0.0, 0.0]
    for f in range(folds):
        test = rows[f::folds]
        train = [r for i, r in enumerate(rows) if i % folds != f]
        weights = kind_model.train([(parser.simplify(t), k) for t, _, k in train], KINDS)
        model = kind_model.KindModel(tuple(weights["classes"]), tuple(weights["log_prior"]),
                                     {k: tuple(v) for k, v in weights["log_lik"].items()}, tuple(weights["unseen"]))
        for i, v in enumerate(evaluate(parser, model, test)):
            sums[i] += v * len(test)
    n = len(rows)
    print(f"5-fold CV on {n} labelled messages — kind accuracy: rules {sums[0] / n:.3f}, "
          f"model alone {sums[1] / n:.3f}, rules + model fallback {sums[2] / n:.3f}")
    weights = kind_model.train([(parser.simplify(t), k) for t, _, k in rows], KINDS)
    full = kind_model.KindModel(tuple(weights["classes"]), tuple(weights["log_prior"]),
                                {k: tuple(v) for k, v in weights["log_lik"].items()}, tuple(weights["unseen"]))
    if args.extra:
        extra = rows_of(args.extra)
        r, m, h = evaluate(parser, full, extra)
        print(f"{len(extra)} extra messages (not trained on) — rules {r:.3f}, model alone {m:.3f}, "
              f"rules + model fallback {h:.3f}")
    if args.write:
        OUT.write_text(json.dumps(weights, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        print(f"wrote {OUT} ({OUT.stat().st_size // 1024} KB, {len(weights['log_lik'])} features)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
