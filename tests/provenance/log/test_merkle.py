"""Merkle proofs generated from nodes verify for every leaf and size; mutations fail."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stockade.errors import InputError, VerificationFailed
from stockade.provenance.log import merkle


def _tree(size: int) -> merkle.MemoryTree:
    return merkle.MemoryTree(merkle.leaf_hash(f"entry {i}".encode()) for i in range(size))


def _reference_root(hashes: list[bytes]) -> bytes:
    """MTH written as in RFC 9162 §2.1.1, recursively."""
    if not hashes:
        return merkle.EMPTY_ROOT
    if len(hashes) == 1:
        return hashes[0]
    k = 1
    while k * 2 < len(hashes):
        k *= 2
    return merkle.node_hash(_reference_root(hashes[:k]), _reference_root(hashes[k:]))


def test_every_proof_of_small_trees_verifies() -> None:
    tree = _tree(40)
    for size in range(1, 41):
        root = tree.root(size)
        assert root == _reference_root(tree.levels[0][:size])
        for index in range(size):
            proof = merkle.inclusion_proof(index, size, tree.read)
            merkle.verify_inclusion(index, size, tree.levels[0][index], proof, root)
        for old in range(1, size + 1):
            proof = merkle.consistency_proof(old, size, tree.read)
            merkle.verify_consistency(old, size, tree.root(old), root, proof)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 300), st.data())
def test_mutated_proofs_fail(size: int, data: st.DataObject) -> None:
    tree = _tree(size)
    index = data.draw(st.integers(0, size - 1))
    proof = merkle.inclusion_proof(index, size, tree.read)
    root = tree.root()
    leaf = tree.levels[0][index]
    merkle.verify_inclusion(index, size, leaf, proof, root)
    with pytest.raises(merkle.ProofError):
        merkle.verify_inclusion(index, size, merkle.leaf_hash(b"other"), proof, root)
    if proof:
        position = data.draw(st.integers(0, len(proof) - 1))
        flipped = list(proof)
        flipped[position] = bytes([flipped[position][0] ^ 1]) + flipped[position][1:]
        with pytest.raises(merkle.ProofError):
            merkle.verify_inclusion(index, size, leaf, flipped, root)
        with pytest.raises(merkle.ProofError):
            merkle.verify_inclusion(index, size, leaf, proof[:-1], root)
    old = data.draw(st.integers(1, size))
    consistency = merkle.consistency_proof(old, size, tree.read)
    merkle.verify_consistency(old, size, tree.root(old), root, consistency)
    if old < size:
        with pytest.raises(merkle.ProofError):
            merkle.verify_consistency(old, size, merkle.leaf_hash(b"forked"), root, consistency)
        with pytest.raises(merkle.ProofError):
            merkle.verify_consistency(old, size, tree.root(old), root, [*consistency, root])


def test_proof_errors_are_verification_failures_and_bad_requests_input_errors() -> None:
    tree = _tree(5)
    assert issubclass(merkle.ProofError, VerificationFailed)
    with pytest.raises(InputError, match="outside a tree of 5"):
        merkle.inclusion_proof(5, 5, tree.read)
    with pytest.raises(InputError, match="empty tree is meaningless"):
        merkle.consistency_proof(0, 5, tree.read)
    with pytest.raises(InputError, match="larger than new size"):
        merkle.consistency_proof(4, 3, tree.read)
    with pytest.raises(InputError, match="missing"):
        merkle.inclusion_proof(3, 9, tree.read)
    with pytest.raises(merkle.ProofError, match="not 32"):
        merkle.verify_inclusion(0, 5, b"short", [], tree.root())
    with pytest.raises(InputError, match="leaf hash"):
        tree.append(b"short")


def test_nodes_of_a_range_are_perfect_and_aligned() -> None:
    assert merkle.range_nodes(0, 13) == [(3, 0), (2, 2), (0, 12)]
    assert merkle.range_nodes(8, 12) == [(2, 2)]
    assert merkle.compact_range(0) == []
    with pytest.raises(InputError, match="aligned"):
        merkle.range_nodes(1, 5)
