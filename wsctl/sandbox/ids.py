"""Deterministic, pattern-valid resource IDs: a hash of the seed, the kind and a counter.

The same `--seed` gives the same directory, bundle, WorkSpace and image IDs run after run,
so a demo script or a test can be replayed; a different seed gives different ones.
"""

from __future__ import annotations

import hashlib

BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"
HEX = "0123456789abcdef"


def _digits(seed: int, kind: str, n: int, alphabet: str, length: int) -> str:
    digest = hashlib.blake2b(f"{seed}/{kind}/{n}".encode(), digest_size=16).digest()
    value = int.from_bytes(digest, "big")
    out = []
    for _ in range(length):
        value, index = divmod(value, len(alphabet))
        out.append(alphabet[index])
    return "".join(out)


def workspace_id(seed: int, n: int) -> str:
    return "ws-" + _digits(seed, "ws", n, BASE36, 9)


def image_id(seed: int, n: int, kind: str = "wsi") -> str:
    return "wsi-" + _digits(seed, kind, n, BASE36, 9)


def bundle_id(seed: int, n: int) -> str:
    return "wsb-" + _digits(seed, "wsb", n, BASE36, 9)


def directory_id(seed: int, n: int) -> str:
    return "d-" + _digits(seed, "d", n, HEX, 10)


def ami_id(seed: int, n: int) -> str:
    return "ami-" + _digits(seed, "ami", n, HEX, 17)


def hex_id(prefix: str, seed: int, kind: str, n: int, length: int = 17) -> str:
    """`subnet-...`, `sg-...` and similar EC2-style IDs."""
    return prefix + _digits(seed, kind, n, HEX, length)


def token(seed: int, kind: str, n: int, length: int) -> str:
    """Upper-case letters and digits (registration codes, computer names)."""
    return _digits(seed, kind, n, BASE36, length).upper()


def fraction(seed: int, kind: str, n: int) -> float:
    """A repeatable number in [0, 1) for the n-th decision of a kind (fault injection)."""
    digest = hashlib.blake2b(f"{seed}/{kind}/{n}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64
