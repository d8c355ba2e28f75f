"""消息类别的统计模型: a naive-Bayes reading of the kind over character n-grams.

Trained by benchmarks/kind_model_train.py on the labelled sets it names (tests/domain/data/*.jsonl
and the shared development corpus) and shipped as ``data/kind_nb.json``; no download, no I/O after the
Parser is built. The rules decide the kind; this model only speaks where they find nothing
(a message with an order number that none of the cue words covers), and then with low
confidence, so the bot asks instead of acting on it.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any, Iterable, Mapping

_DIGITS = re.compile(r"\d+")
_LATIN = re.compile(r"[a-z]+")


def features(text: str) -> list[str]:
    """Character unigrams and bigrams of the normalised text; digit runs are one symbol, Latin
    words are whole tokens (so 13812345678 and DD202612005 do not each look new)."""
    s = _DIGITS.sub("0", text.lower())
    out = [w for w in _LATIN.findall(s)]
    s = _LATIN.sub("a", s)
    chars = [c for c in s if not c.isspace()]
    out.extend(chars)
    out.extend(a + b for a, b in zip(chars, chars[1:]))
    return out


@dataclass(frozen=True)
class KindModel:
    classes: tuple[str, ...]
    log_prior: tuple[float, ...]
    log_lik: Mapping[str, tuple[float, ...]]
    unseen: tuple[float, ...]

    @classmethod
    def load(cls) -> "KindModel":
        data = json.loads(resources.files(__package__).joinpath("data", "kind_nb.json").read_text(encoding="utf-8"))
        return cls(tuple(data["classes"]), tuple(data["log_prior"]),
                   {f: tuple(v) for f, v in data["log_lik"].items()}, tuple(data["unseen"]))

    def posterior(self, text: str, among: Iterable[str] | None = None) -> dict[str, float]:
        """P(kind | text) over ``among`` (default: every kind)."""
        idx = [i for i, c in enumerate(self.classes) if among is None or c in among]
        scores = {i: self.log_prior[i] for i in idx}
        for f in features(text):
            lik = self.log_lik.get(f)
            if lik is None:
                continue  # a feature never seen in training says nothing about any kind
            for i in idx:
                scores[i] += lik[i]
        top = max(scores.values())
        total = sum(math.exp(v - top) for v in scores.values())
        return {self.classes[i]: math.exp(v - top) / total for i, v in scores.items()}


def train(rows: Iterable[tuple[str, str]], classes: tuple[str, ...], min_count: int = 2,
          alpha: float = 0.5) -> dict[str, Any]:
    """Multinomial naive Bayes with additive smoothing; returns the JSON-ready weights."""
    counts: dict[str, list[int]] = {}
    docs = [0] * len(classes)
    totals = [0] * len(classes)
    for text, kind in rows:
        k = classes.index(kind)
        docs[k] += 1
        for f in features(text):
            counts.setdefault(f, [0] * len(classes))[k] += 1
            totals[k] += 1
    kept = {f: c for f, c in counts.items() if sum(c) >= min_count}
    vocab = len(kept) + 1
    n_docs = sum(docs)
    log_prior = [math.log((d + 1) / (n_docs + len(classes))) for d in docs]
    denom = [totals[k] + alpha * vocab for k in range(len(classes))]
    log_lik = {f: [round(math.log((c[k] + alpha) / denom[k]), 4) for k in range(len(classes))]
               for f, c in sorted(kept.items())}
    unseen = [round(math.log(alpha / denom[k]), 4) for k in range(len(classes))]
    return {"classes": list(classes), "log_prior": [round(v, 4) for v in log_prior], "log_lik": log_lik,
            "unseen": unseen}
