"""RFC 9162 Merkle trees: hashing, roots, inclusion and consistency proofs (pure, no I/O).

A tree is addressed by *nodes* ``(level, index)``: the perfect subtree of ``2**level`` leaves
starting at leaf ``index * 2**level``. Proof generation works out which ranges of leaves the
proof needs (RFC 9162 §2.1.3.1 and §2.1.4.1), splits each range into such perfect nodes, and
asks a :data:`NodeReader` for their hashes, so that a store holding every complete subtree
answers a proof with O(log n) reads. Verification follows RFC 9162 §2.1.3.2 and §2.1.4.2 with
the edge cases of the reference Go verifier (transparency-dev/merkle).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence

from stockade.errors import InputError, VerificationFailed

HASH_SIZE = 32
"""Bytes in a SHA-256 hash."""

EMPTY_ROOT = hashlib.sha256(b"").digest()
"""The root hash of the empty tree, ``SHA-256("")``."""

Node = tuple[int, int]
"""A perfect subtree ``(level, index)``: leaves ``[index * 2**level, (index + 1) * 2**level)``."""

NodeReader = Callable[[Sequence[Node]], Mapping[Node, bytes]]
"""Reads the hashes of complete nodes, all at once (one query in a store)."""


class MerkleInputError(InputError):
    """A tree size, index or hash given to the Merkle code is out of range or malformed."""


class ProofError(VerificationFailed):
    """A Merkle proof does not verify against the given root(s)."""


def leaf_hash(data: bytes) -> bytes:
    """The hash of a leaf: ``SHA-256(0x00 || data)``."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The hash of an interior node: ``SHA-256(0x01 || left || right)``."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(size: int) -> int:
    """The largest power of two strictly smaller than ``size`` (``size`` > 1)."""
    return 1 << ((size - 1).bit_length() - 1)


def _check_size(name: str, value: int) -> None:
    if value < 0:
        raise MerkleInputError(f"{name} must not be negative (got {value})")


# ---------------------------------------------------------------------------- ranges and nodes


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The leaf ranges ``[start, end)`` whose roots make the audit path of leaf ``index`` in a
    tree of ``size`` leaves, ordered from the leaf upwards (RFC 9162 §2.1.3.1)."""
    _check_size("tree size", size)
    if not 0 <= index < size:
        raise MerkleInputError(f"leaf index {index} is outside a tree of {size} leaves")
    ranges: list[tuple[int, int]] = []
    start, end = 0, size
    while end - start > 1:
        k = _split(end - start)
        if index < start + k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start += k
    ranges.reverse()
    return ranges


def consistency_ranges(old_size: int, new_size: int) -> list[tuple[int, int]]:
    """The leaf ranges whose roots make the consistency proof from ``old_size`` to
    ``new_size`` (RFC 9162 §2.1.4.1); empty when the sizes are equal."""
    _check_size("old tree size", old_size)
    _check_size("new tree size", new_size)
    if old_size == 0:
        raise MerkleInputError("a consistency proof from the empty tree is meaningless")
    if old_size > new_size:
        raise MerkleInputError(f"old tree size {old_size} is larger than new size {new_size}")
    ranges: list[tuple[int, int]] = []
    start, end, m, whole = 0, new_size, old_size, True
    while True:
        n = end - start
        if m == n:
            if not whole:
                ranges.append((start, end))
            break
        k = _split(n)
        if m <= k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start += k
            m -= k
            whole = False
    ranges.reverse()
    return ranges


def range_nodes(start: int, end: int) -> list[Node]:
    """The perfect nodes, left to right and of decreasing size, that make up ``[start, end)``.

    ``start`` must be aligned on the first node's size, as every range of an RFC 9162 proof is.
    """
    if not 0 <= start < end:
        raise MerkleInputError(f"empty or negative leaf range [{start}, {end})")
    nodes: list[Node] = []
    while start < end:
        width = end - start
        level = width.bit_length() - 1
        if start % (1 << level):
            raise MerkleInputError(f"leaf range [{start}, {end}) is not aligned on its subtrees")
        nodes.append((level, start >> level))
        start += 1 << level
    return nodes


def nodes_of(ranges: Iterable[tuple[int, int]]) -> list[Node]:
    """Every perfect node the given ranges are made of (what a proof over them reads)."""
    return [node for start, end in ranges for node in range_nodes(start, end)]


def fold_nodes(hashes: Sequence[bytes]) -> bytes:
    """The root of a range from the hashes of its :func:`range_nodes` (right to left)."""
    if not hashes:
        return EMPTY_ROOT
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = node_hash(left, result)
    return result


def compact_range(size: int) -> list[Node]:
    """The perfect nodes covering a whole tree of ``size`` leaves (one per set bit of size)."""
    _check_size("tree size", size)
    return range_nodes(0, size) if size else []


def _proof_from_ranges(ranges: Sequence[tuple[int, int]], read: NodeReader) -> list[bytes]:
    per_range = [range_nodes(start, end) for start, end in ranges]
    wanted = sorted({node for nodes in per_range for node in nodes})
    found = read(wanted) if wanted else {}
    missing = [node for node in wanted if node not in found]
    if missing:
        level, index = missing[0]
        raise MerkleInputError(
            f"{len(missing)} tree node(s) are missing, e.g. level {level} index {index}"
        )
    return [fold_nodes([found[node] for node in nodes]) for nodes in per_range]


def inclusion_proof(index: int, size: int, read: NodeReader) -> list[bytes]:
    """The audit path of leaf ``index`` in the tree of ``size`` leaves, from the leaf up."""
    return _proof_from_ranges(inclusion_ranges(index, size), read)


def consistency_proof(old_size: int, new_size: int, read: NodeReader) -> list[bytes]:
    """The consistency proof between the trees of ``old_size`` and ``new_size`` leaves."""
    return _proof_from_ranges(consistency_ranges(old_size, new_size), read)


def root_from_nodes(size: int, read: NodeReader) -> bytes:
    """The root hash of the tree of ``size`` leaves, from its compact range."""
    if size == 0:
        return EMPTY_ROOT
    return _proof_from_ranges([(0, size)], read)[0]


# ---------------------------------------------------------------------------- in memory


class MemoryTree:
    """A whole tree held in memory: every complete node, for tests and small logs."""

    def __init__(self, leaf_hashes: Iterable[bytes] = ()) -> None:
        self.levels: list[list[bytes]] = [[]]
        """``levels[l][i]`` is the hash of node ``(l, i)``."""
        for value in leaf_hashes:
            self.append(value)

    @property
    def size(self) -> int:
        """Number of leaves."""
        return len(self.levels[0])

    def append(self, hashed_leaf: bytes) -> None:
        """Add a leaf hash and every node it completes."""
        if len(hashed_leaf) != HASH_SIZE:
            raise MerkleInputError(f"a leaf hash has {HASH_SIZE} bytes, not {len(hashed_leaf)}")
        self.levels[0].append(hashed_leaf)
        level = 0
        while len(self.levels[level]) % 2 == 0:
            row = self.levels[level]
            if len(self.levels) == level + 1:
                self.levels.append([])
            self.levels[level + 1].append(node_hash(row[-2], row[-1]))
            level += 1

    def read(self, nodes: Sequence[Node]) -> dict[Node, bytes]:
        """A :data:`NodeReader` over this tree."""
        found: dict[Node, bytes] = {}
        for level, index in nodes:
            if level < len(self.levels) and index < len(self.levels[level]):
                found[(level, index)] = self.levels[level][index]
        return found

    def root(self, size: int | None = None) -> bytes:
        """The root hash at ``size`` leaves (default: all)."""
        size = self.size if size is None else size
        if not 0 <= size <= self.size:
            raise MerkleInputError(f"tree size {size} is outside 0..{self.size}")
        return root_from_nodes(size, self.read)


def root_hash(leaf_hashes: Sequence[bytes]) -> bytes:
    """The RFC 9162 root (MTH) of a list of leaf hashes."""
    return MemoryTree(leaf_hashes).root()


# ---------------------------------------------------------------------------- verification


def _check_hash(name: str, value: bytes) -> None:
    if len(value) != HASH_SIZE:
        raise ProofError(f"{name} has {len(value)} bytes, not {HASH_SIZE}")


def root_from_inclusion_proof(
    index: int, size: int, hashed_leaf: bytes, proof: Sequence[bytes]
) -> bytes:
    """The root that ``proof`` implies for leaf ``index`` (RFC 9162 §2.1.3.2)."""
    if index < 0 or size < 0:
        raise ProofError(f"negative leaf index or tree size ({index}, {size})")
    if index >= size:
        raise ProofError(f"leaf index {index} is outside a tree of {size} leaves")
    _check_hash("leaf hash", hashed_leaf)
    expected = len(inclusion_ranges(index, size))
    if len(proof) != expected:
        raise ProofError(
            f"inclusion proof has {len(proof)} hashes, a tree of {size} needs {expected}"
        )
    fn, sn, result = index, size - 1, hashed_leaf
    for position, sibling in enumerate(proof):
        _check_hash(f"proof hash {position}", sibling)
        if sn == 0:
            raise ProofError("inclusion proof is too long")
        if fn & 1 or fn == sn:
            result = node_hash(sibling, result)
            while not fn & 1 and fn:
                fn >>= 1
                sn >>= 1
        else:
            result = node_hash(result, sibling)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("inclusion proof is too short")
    return result


def verify_inclusion(
    index: int, size: int, hashed_leaf: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """Check that leaf hash ``hashed_leaf`` is leaf ``index`` of the tree of ``size`` leaves
    whose root is ``root``; raise :class:`ProofError` when it is not."""
    computed = root_from_inclusion_proof(index, size, hashed_leaf, proof)
    if computed != root:
        raise ProofError(
            f"inclusion proof of leaf {index} gives root {computed.hex()}, expected {root.hex()}"
        )


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """Check that the tree of ``new_size`` leaves with root ``new_root`` extends the tree of
    ``old_size`` leaves with root ``old_root`` (RFC 9162 §2.1.4.2); raise
    :class:`ProofError` when it does not."""
    if old_size < 0 or new_size < 0:
        raise ProofError(f"negative tree size ({old_size}, {new_size})")
    if new_size < old_size:
        raise ProofError(f"new tree size {new_size} is smaller than old size {old_size}")
    if old_size == 0:
        raise ProofError("a consistency proof from the empty tree is meaningless")
    if old_size == new_size:
        if proof:
            raise ProofError("trees of equal size need an empty consistency proof")
        if old_root != new_root:
            raise ProofError("trees of equal size have different roots")
        return
    if not proof:
        raise ProofError("consistency proof is empty")
    expected = len(consistency_ranges(old_size, new_size))
    if len(proof) != expected:
        raise ProofError(
            f"consistency proof has {len(proof)} hashes, sizes {old_size} -> {new_size} "
            f"need {expected}"
        )
    for position, value in enumerate(proof):
        _check_hash(f"proof hash {position}", value)
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    old_result = new_result = path[0]
    for value in path[1:]:
        if sn == 0:
            raise ProofError("consistency proof is too long")
        if fn & 1 or fn == sn:
            old_result = node_hash(value, old_result)
            new_result = node_hash(value, new_result)
            while not fn & 1 and fn:
                fn >>= 1
                sn >>= 1
        else:
            new_result = node_hash(new_result, value)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("consistency proof is too short")
    if old_result != old_root:
        raise ProofError(f"consistency proof does not match the old root at size {old_size}")
    if new_result != new_root:
        raise ProofError(f"consistency proof does not match the new root at size {new_size}")


__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "MemoryTree",
    "MerkleInputError",
    "Node",
    "NodeReader",
    "ProofError",
    "compact_range",
    "consistency_proof",
    "consistency_ranges",
    "fold_nodes",
    "inclusion_proof",
    "inclusion_ranges",
    "leaf_hash",
    "node_hash",
    "nodes_of",
    "range_nodes",
    "root_from_inclusion_proof",
    "root_from_nodes",
    "root_hash",
    "verify_consistency",
    "verify_inclusion",
]
