"""Bytes of WebAssembly binaries for the Python tests that write modules by hand (the limits,
atomic-output, negative-corpus and controller-registry tests).

    sys.path.insert(0, "<root>/tests/lib"); from wasm_bytes import leb128
"""


def leb128(n):
    """Unsigned LEB128, as section sizes, counts and indices are encoded."""
    out = bytearray()
    while True:
        b, n = n & 0x7F, n >> 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)
