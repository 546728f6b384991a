"""A zip member unpacked step by step, never more than asked for (deflate, bzip2, lzma, stored).

zipfile's own stream bounds each step's output for deflate only: for bzip2 and lzma one 4 KB read
of compressed bytes is unpacked whole, and 4 KB of bzip2 can be hundreds of megabytes of zeros.
`MemberStream` reads the member's compressed bytes itself (after its local header) and asks the
decompressor for at most the bytes wanted (``max_length``), so a reader that stops at its budget
has unpacked no more than that. The zip's declared sizes are used only to find the bytes and to
compare against; the CRC is checked once the whole declared member has been read.
"""

from __future__ import annotations

import bz2
import lzma
import struct
import zipfile
import zlib
from typing import IO, Any

_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, ..., name length, extra length
_INPUT = 1 << 16


class MemberStream:
    """``read(n)`` / ``readinto(buffer)`` over the unpacked bytes of one zip member."""

    def __init__(self, fh: IO[bytes], info: zipfile.ZipInfo):
        if info.flag_bits & 0x1:
            raise RuntimeError("encrypted member")
        fh.seek(info.header_offset)
        sig, name_len, extra_len = _LOCAL_HEADER.unpack(fh.read(_LOCAL_HEADER.size))
        if sig != b"PK\x03\x04":
            raise zipfile.BadZipFile("bad local header")
        fh.seek(info.header_offset + _LOCAL_HEADER.size + name_len + extra_len)
        self.fh = fh
        self.info = info
        self.left = info.compress_size  # compressed bytes not yet read
        self.kind = info.compress_type
        self.crc = 0
        self.total = 0
        self.d: Any = None
        if self.kind == zipfile.ZIP_DEFLATED:
            self.d = zlib.decompressobj(-15)
        elif self.kind == zipfile.ZIP_BZIP2:
            self.d = bz2.BZ2Decompressor()
        elif self.kind == zipfile.ZIP_LZMA:
            self.d = self._lzma()
        elif self.kind != zipfile.ZIP_STORED:
            raise NotImplementedError(f"compression type {self.kind}")

    def _input(self, n: int = _INPUT) -> bytes:
        data = self.fh.read(min(n, self.left))
        self.left -= len(data)
        if not data and self.left:
            raise EOFError("member cut short")
        return data

    def _lzma(self) -> Any:
        # zip's LZMA: 2 bytes version, 2 bytes properties size, the properties, a raw LZMA1 stream
        head = self._input(4)
        (psize,) = struct.unpack("<H", head[2:4]) if len(head) == 4 else (0,)
        props = self._input(psize)
        filt = lzma._decode_filter_properties(lzma.FILTER_LZMA1, props)  # type: ignore[attr-defined]
        return lzma.LZMADecompressor(lzma.FORMAT_RAW, filters=[filt])

    def _done(self) -> bool:
        if self.kind == zipfile.ZIP_STORED:
            return self.left == 0
        if self.kind == zipfile.ZIP_DEFLATED:
            return bool(self.d.eof) or (self.left == 0 and not self.d.unconsumed_tail)
        return bool(self.d.eof) or (self.left == 0 and self.d.needs_input)

    def _step(self, n: int) -> bytes:
        if self.kind == zipfile.ZIP_STORED:
            return self._input(n)
        if self.kind == zipfile.ZIP_DEFLATED:
            out: bytes = self.d.decompress(self.d.unconsumed_tail or self._input(), n)
            return out
        if self.d.eof:
            return b""
        out = self.d.decompress(self._input() if self.d.needs_input else b"", n)
        return out

    def read(self, n: int) -> bytes:
        """Up to ``n`` unpacked bytes (fewer only at the member's end)."""
        chunks, got = [], 0
        while got < n:
            piece = self._step(n - got)
            if piece:
                chunks.append(piece)
                got += len(piece)
            elif self._done():
                break
        out = b"".join(chunks)
        self.crc = zlib.crc32(out, self.crc)
        self.total += len(out)
        if self.total == self.info.file_size and self._done() and self.crc != self.info.CRC:
            raise zipfile.BadZipFile("CRC mismatch")
        return out

    def readinto(self, buffer: memoryview) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)
