"""zlib data inflated by libdeflate, the library bgsearch's writer compresses with: about twice as
fast as zlib's own inflate, for the stored fields and posting blocks a search reads.

libdeflate needs room for the whole output up front, and zlib's format does not record its size:
the room is a guess, and data that inflates beyond it (or is damaged) goes to zlib's inflate, which
gives the same bytes or raises zlib.error as before.
"""

from __future__ import annotations

import zlib

from deflate import DeflateError, zlib_decompress

__all__ = ["inflate"]

_ROOM = 16  # times the compressed size (text inflates ~2.5x, posting blocks ~3x)
_LEAST_ROOM = 1 << 16


def inflate(data: bytes) -> bytes:
    """`zlib.decompress(data)`."""
    try:
        return bytes(zlib_decompress(data, max(_LEAST_ROOM, _ROOM * len(data))))  # (a bytearray)
    except DeflateError:
        return zlib.decompress(data)
