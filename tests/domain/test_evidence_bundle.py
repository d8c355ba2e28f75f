"""An evidence document's proof block checked offline: any text survives, any change is named."""

from __future__ import annotations

import json
from html import escape

import pytest

from domain.evidence.bundle import EvidenceError, check_document, display_text, make_bundle
from domain.evidence.leaves import canonical, decode, entry_leaf, photo_leaf
from domain.evidence.merkle import MerkleTree, leaf_hash
from domain.evidence.note import Checkpoint, Signer

SIGNER = Signer.generate("shop.example/orderbot")
AWKWARD = "NUL\x00 here, a lone \ud800 surrogate, 表情😀, </script> and <b>tags</b>"


def _entry(seq: int, text: str) -> bytes:
    fields = {name: None for name in ("bot_id", "update_id", "chat_id", "actor_id", "message_id", "entity",
                                      "telegram_time", "payload")}
    return entry_leaf({**fields, "seq": seq, "kind": "inbound", "version": 1, "recorded_at": "2026-12-03T01:20:00.000000+00:00",
                       "text": text, "prev_hash": "0" * 64, "hash": f"{seq:064x}"})


def _document(texts: list[str], *, signer: Signer = SIGNER, published_at: int | None = None) -> str:
    datas = [_entry(i + 1, text) for i, text in enumerate(texts)] + [photo_leaf(1, "ab" * 32)]
    tree = MerkleTree([leaf_hash(d) for d in datas])
    note = signer.sign(Checkpoint(signer.name, tree.size, tree.root()).body())
    published = consistency = None
    if published_at is not None:
        published = signer.sign(Checkpoint(signer.name, published_at, tree.root(published_at)).body())
        consistency = tree.consistency_proof(published_at)
    bundle = make_bundle(number="DD202612001", public_key=signer.verifier.text(), checkpoint=note,
                         proved=[(i, d, tree.inclusion_proof(i)) for i, d in enumerate(datas)],
                         published=published, consistency=consistency or ())
    rows = "".join(f'<tr><td data-leaf="{i}" data-field="seq">{i + 1}</td>'
                   f'<td><pre data-leaf="{i}" data-field="text">{escape(display_text(text))}</pre></td></tr>'
                   for i, text in enumerate(texts))
    block = json.dumps(bundle).replace("<", "\\u003c").replace(">", "\\u003e")
    return (f'<html><body><table>{rows}</table><code data-leaf="{len(texts)}" data-field="sha256">{"ab" * 32}</code>'
            f'<script type="application/json" id="orderbot-evidence">{block}</script></body></html>')


def test_leaf_bytes_are_ascii_and_round_trip_any_text() -> None:
    data = _entry(1, AWKWARD)
    assert data.isascii() and decode(data)["text"] == AWKWARD
    assert canonical(decode(data)) == data


def test_a_document_with_awkward_text_verifies_and_encodes() -> None:
    html = _document(["张三 13812345678", AWKWARD, "第三条"], published_at=2)
    html.encode("utf-8")  # lone surrogates are shown as U+FFFD, so the page is valid UTF-8
    result = check_document(html, SIGNER.verifier)
    assert result.shown == 7 and result.published is not None and result.published.size == 2


@pytest.mark.parametrize(("old", "new"), [("13812345678", "13812345670"), ("第三条", "第3条"), ("ab" * 32, "ac" + "ab" * 31)])
def test_one_changed_character_shown_is_refused(old: str, new: str) -> None:
    html = _document(["张三 13812345678", AWKWARD, "第三条"])
    shown = html[:html.index("<script")]
    with pytest.raises(EvidenceError, match="not what the log holds"):
        check_document(shown.replace(old, new, 1) + html[html.index("<script"):], SIGNER.verifier)


def test_a_consistency_proof_that_does_not_hold_is_refused() -> None:
    html = _document(["a", "b", "c", "d", "e"], published_at=3)
    start = html.index('id="orderbot-evidence">') + len('id="orderbot-evidence">')
    bundle = json.loads(html[start:html.rindex("</script>")])
    bundle["consistency_proof"] = bundle["consistency_proof"][::-1]
    with pytest.raises(EvidenceError, match="history was rewritten"):
        check_document(html[:start] + json.dumps(bundle) + html[html.rindex("</script>"):], SIGNER.verifier)


def test_another_key_or_no_key_is_refused() -> None:
    html = _document(["a"])
    with pytest.raises(EvidenceError, match="not signed by"):
        check_document(html, Signer.generate("shop.example/orderbot").verifier)
    forged = _document(["a"], signer=Signer.generate("shop.example/orderbot"))
    with pytest.raises(EvidenceError, match="not signed by"):
        check_document(forged, SIGNER.verifier)  # a forger's document with their own key embedded
    assert check_document(forged).key.text() != SIGNER.verifier.text()  # only the published key tells
