"""MinHash signatures of texts: what makes two submissions near-duplicates (pure maths, no
database). `clusters` stores and looks them up at intake; see its docstring for the method.
"""
from __future__ import annotations

import re
import zlib
from collections.abc import Sequence

import numpy as np

from app.services.text.textnorm import has_cjk, normalize, words

NUM_PERM = 64
BANDS = 16
ROWS = NUM_PERM // BANDS
THRESHOLD = 0.6
GRAM = 5
CJK_GRAM = 3
MIN_GRAMS = 10  # "I agree." from many people is many voices, not a campaign
SEED = 1
_SENTENCE_END = re.compile(r"[.!?;؟؛。！？；…]+")
_LINE_BREAKS = re.compile(r"[\n\r]+")
_PRIME = np.uint64(1099511628211)
_MASK32 = np.uint64(0xFFFFFFFF)
# MinHash with the universal hashes h(x) = ((a x + b) mod p) mod 2^32, p = 2^61 - 1, as in
# datasketch. The library was used first; its package imports scipy (for LSH parameter
# tuning this module does not need), which cost every worker 62 MB of memory and 0.4 s of
# start-up for a dozen lines of numpy. a and b stay below 2^31 so a x + b never overflows.
_MERSENNE = np.uint64((1 << 61) - 1)
_rng = np.random.RandomState(SEED)
_A = _rng.randint(1, 1 << 31, size=NUM_PERM, dtype=np.int64).astype(np.uint64)
_B = _rng.randint(0, 1 << 31, size=NUM_PERM, dtype=np.int64).astype(np.uint64)
del _rng


def _minhash(grams: np.ndarray) -> np.ndarray:
    """The NUM_PERM minimum hash values of a set of 32-bit gram hashes."""
    hashed = (grams.astype(np.uint64)[:, None] * _A + _B) % _MERSENNE & _MASK32
    return hashed.min(axis=0).astype(np.uint32)


# Signatures.

def text_of(title: str | None, answers: Sequence[str], body: str | None,
            files: str | None = None) -> str:
    """What is compared: the title, the answers, the free text and the attachments' text,
    one sentence run each."""
    return "\n".join(part for part in (title, *answers, body, files) if part)


def _gram_hashes(sentences: list[str], size: int) -> np.ndarray:
    """64-bit polynomial hashes of the `size`-character grams of each sentence (a sentence
    shorter than `size` counts as one gram), computed for all sentences at once."""
    if not sentences:
        return np.empty(0, np.uint64)
    joined = "\x00".join(sentences)
    points = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    out = []
    count = len(points) - size + 1
    if count > 0:
        hashes = np.zeros(count, np.uint64)
        for offset in range(size):
            hashes = hashes * _PRIME + points[offset:offset + count]
        separators = np.concatenate(([0], np.cumsum(points == 0)))
        out.append(hashes[separators[size:size + count] == separators[:count]])
    short = [zlib.crc32(s.encode()) for s in sentences if len(s) < size]
    if short:
        out.append(np.array(short, np.uint64))
    return np.concatenate(out) if out else np.empty(0, np.uint64)


def shingles(text: str) -> np.ndarray:
    """The set of 32-bit gram hashes of `text` (folded by textnorm, sentence by sentence)."""
    folded = normalize(_LINE_BREAKS.sub(". ", text or ""))  # line breaks end sentences too
    sentences = [" ".join(words(part)) for part in _SENTENCE_END.split(folded)]
    cjk = [s for s in sentences if s and has_cjk(s)]
    other = [s for s in sentences if s and not has_cjk(s)]
    hashes = np.concatenate((_gram_hashes(other, GRAM), _gram_hashes(cjk, CJK_GRAM)))
    return np.unique(((hashes ^ (hashes >> np.uint64(32))) & _MASK32).astype(np.uint32))


def signature(text: str) -> np.ndarray | None:
    """The MinHash signature of `text` (NUM_PERM uint32), or None when it is too short to
    tell a campaign from a coincidence."""
    grams = shingles(text)
    if len(grams) < MIN_GRAMS:
        return None
    return _minhash(grams)


def band_hashes(signatures: np.ndarray) -> np.ndarray:
    """Signed 64-bit hashes of each band: shape (BANDS,) for one signature, (n, BANDS)
    for n."""
    values = signatures.astype(np.uint64).reshape(*signatures.shape[:-1], BANDS, ROWS)
    hashes = np.zeros(values.shape[:-1], np.uint64)
    for row in range(ROWS):
        hashes = (hashes ^ values[..., row]) * _PRIME
    return hashes.view(np.int64)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of the two texts behind two signatures."""
    return float(np.count_nonzero(a == b)) / NUM_PERM


def to_bytes(sig: np.ndarray) -> bytes:
    return sig.astype("<u4").tobytes()


def from_bytes(raw: bytes) -> np.ndarray:
    return np.frombuffer(raw, dtype="<u4")
