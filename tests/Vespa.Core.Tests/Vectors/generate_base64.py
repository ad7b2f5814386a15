#!/usr/bin/env python3
"""Writes base64.json: how Python's base64.b64decode (non-validating, the call the vast.ai worker
makes on auth_data.signature) treats odd inputs.

Each vector is {"input": <str>, "ok": <bool>, "hex": <decoded bytes as hex, or null>}.
Standard library only; deterministic (fixed seed).

Usage: python3 generate_base64.py [output path]
"""

import base64
import binascii
import json
import random
import sys
from pathlib import Path

HANDWRITTEN = [
    "", "QUJDRA==", "QUJDRA", "QUJDRA=", "QUJDRA===", "QUJDRA====", "QUJD", "QUJDRA==QUJD",
    "QUJDRA==garbage", "QUJDRA== trailing", "QUJD RA==", "QUJD\nRA==", "QUJD\r\nRA==\n", " QUJDRA== ",
    "\tQUJDRA==\t", "Q", "QQ", "QQ=", "QQ==", "QQ=a=", "QQ=a", "=QQ==", "==QQ==", "Q=Q==", "QUI=",
    "QUI", "QUJ=D", "====", "=", "QQ==QQ==", "QUJ-DRA==", "QUJ_DRA==", "-_-_", "+/+/", "++//",
    "QU!JD@RA#==", "QUJD.RA==", "QUJD\u00e9RA==", "QUJD\u00a0RA==", "YWJj", "YWJjZA==", "YWJjZGU=",
    "YW Jj ZA ==", "Y\nW\nJ\nj\nZ\nA\n=\n=", "YWJjZA=\n=", "YWJjZA= =", "YWJjZA=x=", "YWJjZB==",
    "YWJjZGV=", "AAAA", "////", "++++", "A===", "AA==", "AAA=", "AAAAA", "AAAAAA", "AAAAAAA",
]


def decode(text):
    try:
        return True, base64.b64decode(text).hex()
    except (binascii.Error, ValueError):
        return False, None


def main():
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("base64.json")
    rng = random.Random(424242)
    inputs = list(HANDWRITTEN)
    junk = [" ", "\n", "\r", "\t", "-", "_", ".", "!", "=", "\u00e9"]
    for _ in range(300):
        data = bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 40)))
        text = base64.b64encode(data).decode("ascii")
        chars = list(text)
        for _ in range(rng.randint(0, 3)):
            action = rng.random()
            position = rng.randint(0, len(chars))
            if action < 0.6:
                chars.insert(position, rng.choice(junk))
            elif chars and position < len(chars):
                del chars[position]
        if rng.random() < 0.2:
            chars = [{"+": "-", "/": "_"}.get(c, c) for c in chars]
        inputs.append("".join(chars))

    vectors = []
    for text in inputs:
        ok, hexed = decode(text)
        vectors.append({"input": text, "ok": ok, "hex": hexed})
    with open(out, "w", encoding="ascii", newline="\n") as handle:
        json.dump(vectors, handle, indent=1, ensure_ascii=True)
        handle.write("\n")
    print(f"wrote {len(vectors)} vectors to {out}")


if __name__ == "__main__":
    main()
