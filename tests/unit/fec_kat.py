#!/usr/bin/env python3
"""Known answers for tests/unit/fec_rs_test.cpp, computed apart from the C++
codec: bitwise GF(2^10) products (no tables) and a long division of
m(x) * x^30 by g(x) on Python lists, coefficients highest degree first."""

POLY, T = 0x409, 15  # isa.toml [c2c] fec_poly, fec_t; first root alpha^0


def mul(a, b):
    r = 0
    while b:
        if b & 1:
            r ^= a
        b >>= 1
        a <<= 1
        if a & 0x400:
            a ^= POLY
    return r


def generator():
    g, root = [1], 1  # highest degree first
    for _ in range(2 * T):
        g = [x ^ mul(root, y) for x, y in zip(g + [0], [0] + g)]
        root = mul(root, 2)
    return g


def parity(data):
    g, work = generator(), list(data) + [0] * (2 * T)
    for i in range(len(data)):
        c = work[i]
        for j in range(1, len(g)):
            work[i + j] ^= mul(c, g[j])
    return work[len(data):]


if __name__ == "__main__":
    # mini: 26 data symbols m_i = 37 * i + 5 mod 1024; the last one (pad: 4 high bits) is 30.
    data = [(37 * i + 5) % 1024 for i in range(25)] + [30]
    print("data", data)
    print("parity", ", ".join(f"0x{p:03x}" for p in parity(data)))
