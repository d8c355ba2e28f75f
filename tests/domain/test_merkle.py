"""RFC 6962 Merkle hashing and proofs against the certificate-transparency test vectors."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from domain.evidence.merkle import (EMPTY_ROOT, MerkleTree, leaf_hash, root_of, verify_consistency,
                                    verify_inclusion)

# The leaf inputs and tree heads of the certificate-transparency reference test suite.
LEAVES = [b"", b"\x00", b"\x10", b"\x20\x21", b"\x30\x31", b"\x40\x41\x42\x43",
          b"\x50\x51\x52\x53\x54\x55\x56\x57", bytes(range(0x60, 0x70))]
ROOTS = ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
         "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
         "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
         "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
         "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
         "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
         "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
         "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"]
INCLUSION = {  # (leaf index, tree size) → audit path
    (0, 8): ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
             "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"],
    (5, 8): ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
             "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
             "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"],
}
CONSISTENCY = {  # (old size, new size) → proof
    (1, 8): ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
             "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"],
    (6, 8): ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
             "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
             "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"],
    (2, 5): ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"],
}
HASHES = [leaf_hash(x) for x in LEAVES]


def _hex(values: list[bytes]) -> list[str]:
    return [v.hex() for v in values]


def test_the_empty_tree_is_the_hash_of_nothing() -> None:
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert root_of([]) == EMPTY_ROOT and MerkleTree([]).root() == EMPTY_ROOT


@pytest.mark.parametrize("size", range(1, 9))
def test_tree_heads_match_the_reference(size: int) -> None:
    tree = MerkleTree(HASHES)
    assert tree.root(size).hex() == ROOTS[size - 1]
    assert root_of(HASHES[:size]).hex() == ROOTS[size - 1]  # the streaming stack agrees
    assert MerkleTree(HASHES[:size]).root().hex() == ROOTS[size - 1]


@pytest.mark.parametrize(("index", "size"), sorted(INCLUSION))
def test_inclusion_proofs_match_the_reference(index: int, size: int) -> None:
    proof = MerkleTree(HASHES).inclusion_proof(index, size)
    assert _hex(proof) == INCLUSION[(index, size)]
    assert verify_inclusion(HASHES[index], index, size, proof, bytes.fromhex(ROOTS[size - 1]))


@pytest.mark.parametrize(("old", "new"), sorted(CONSISTENCY))
def test_consistency_proofs_match_the_reference(old: int, new: int) -> None:
    proof = MerkleTree(HASHES).consistency_proof(old, new)
    assert _hex(proof) == CONSISTENCY[(old, new)]
    assert verify_consistency(old, new, bytes.fromhex(ROOTS[old - 1]), bytes.fromhex(ROOTS[new - 1]), proof)


def test_a_wrong_leaf_index_or_root_fails_inclusion() -> None:
    tree = MerkleTree(HASHES)
    proof = tree.inclusion_proof(5, 8)
    assert not verify_inclusion(HASHES[4], 5, 8, proof, tree.root())
    assert not verify_inclusion(HASHES[5], 4, 8, proof, tree.root())
    assert not verify_inclusion(HASHES[5], 8, 8, proof, tree.root())
    assert not verify_inclusion(HASHES[5], 5, 8, proof[:-1], tree.root())


def test_a_rewritten_history_fails_consistency() -> None:
    forged = HASHES[:3] + [leaf_hash(b"forged")] + HASHES[4:]
    old_root = MerkleTree(HASHES).root(6)
    proof = MerkleTree(forged).consistency_proof(6, 8)
    assert not verify_consistency(6, 8, old_root, MerkleTree(forged).root(), proof)
    assert not verify_consistency(6, 8, old_root, MerkleTree(HASHES).root(), [])


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 70), st.data())
def test_every_proof_of_every_size_verifies(size: int, data: st.DataObject) -> None:
    hashes = [leaf_hash(i.to_bytes(4, "big")) for i in range(size)]
    tree = MerkleTree(hashes)
    assert tree.root() == root_of(hashes)
    index = data.draw(st.integers(0, size - 1))
    assert verify_inclusion(hashes[index], index, size, tree.inclusion_proof(index), tree.root())
    old = data.draw(st.integers(1, size))
    proof = tree.consistency_proof(old)
    assert verify_consistency(old, size, tree.root(old), tree.root(), proof)
    if old < size:
        assert not verify_consistency(old, size, tree.root(old), leaf_hash(b"x"), proof)
