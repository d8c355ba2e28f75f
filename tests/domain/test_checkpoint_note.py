"""C2SP signed notes and checkpoints: the Go reference vector byte for byte, and what must be refused."""

from __future__ import annotations

import pytest

from domain.evidence.note import (Checkpoint, NoteError, Signer, Verifier, extract_note, open_checkpoint,
                                  parse_note)

# golang.org/x/mod/sumdb/note: the documented example key and note.
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
GO_NOTE = GO_TEXT + "\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"


def test_signing_reproduces_the_go_reference_note() -> None:
    signer = Signer.parse(GO_SKEY)
    assert signer.verifier.text() == GO_VKEY
    assert signer.private_text() == GO_SKEY
    assert signer.sign(GO_TEXT) == GO_NOTE
    assert Verifier.parse(GO_VKEY).key_id.hex() == "c74f20a3"


def test_a_checkpoint_round_trips_and_verifies() -> None:
    signer = Signer.generate("shop.example/orderbot")
    checkpoint = Checkpoint("shop.example/orderbot", 42, bytes(range(32)))
    assert checkpoint.body() == "shop.example/orderbot\n42\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n"
    note = signer.sign(checkpoint.body())
    assert open_checkpoint(note, Verifier.parse(signer.verifier.text())) == checkpoint


def test_another_key_an_altered_size_or_a_forged_name_is_refused() -> None:
    signer, other = Signer.generate("shop.example/orderbot"), Signer.generate("shop.example/orderbot")
    note = signer.sign(Checkpoint("shop.example/orderbot", 42, bytes(32)).body())
    with pytest.raises(NoteError, match="not signed by"):
        open_checkpoint(note, other.verifier)
    with pytest.raises(NoteError, match="altered"):
        open_checkpoint(note.replace("\n42\n", "\n43\n"), signer.verifier)
    forged = other.sign(Checkpoint("shop.example/orderbot", 42, bytes(32)).body())
    with pytest.raises(NoteError):
        open_checkpoint(forged, signer.verifier)


def test_a_checkpoint_pasted_from_chat_is_found() -> None:
    signer = Signer.generate("shop.example/orderbot")
    note = signer.sign(Checkpoint("shop.example/orderbot", 7, bytes(32)).body())
    message = "🔏 证据检查点（第 7 条）\n" + note.replace("\n", "\r\n").rstrip() + "   \n"
    assert extract_note(message) == note
    assert open_checkpoint(extract_note(message), signer.verifier).size == 7


@pytest.mark.parametrize("bad", ["", "no signature\n", "a\n\n-- x y\n", "a\n\n— name !!!\n"])
def test_malformed_notes_are_refused(bad: str) -> None:
    with pytest.raises(NoteError):
        parse_note(bad)


@pytest.mark.parametrize("key", ["", "PeterNeumann+c74f20a3", "PeterNeumann+00000000+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
                                 "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"])
def test_malformed_public_keys_are_refused(key: str) -> None:
    with pytest.raises(NoteError):
        Verifier.parse(key)
