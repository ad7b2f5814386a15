#!/usr/bin/env python3
"""Writes canonical_json.json: inputs and the bytes that Python's own json module produces for them.

Each vector is {"input": <raw JSON text>, "expected": json.dumps(json.loads(raw), indent=4, sort_keys=True)}.
That is the canonicalisation the vast.ai worker applies before it hashes a signed message
(shared/docs/vast-protocol.md section 2.2). Standard library only; the output is deterministic
(fixed seed), so re-running it must not change the committed file.

Usage: python3 generate_canonical_json.py [output path]
"""

import json
import random
import struct
import sys
from pathlib import Path

HANDWRITTEN = [
    # floats: fixed vs exponent notation, shortest round-trip digits
    "0.1", "1e-05", "1e16", "1e15", "100.0", "3.0000000000000004", "1.5e-07",
    "1.2345678901234568e+17", "0.3333333333333333", "0.33333333333333331", "0.6666666666666666",
    "5e-324", "4.9406564584124654e-324", "2.2250738585072014e-308", "1.7976931348623157e308",
    "1e400", "-1e400", "1E400", "1e-400", "-1e-400", "-0.0", "0.0", "-0", "0", "1.0", "-1.0",
    "0.0001", "0.00001", "0.001234", "123456789012345678.0", "9007199254740993.0",
    "1e22", "1e23", "1E+2", "1e+2", "1.0e2", "2.5E-3", "12345.6789e3", "1234567890123456.7",
    "12345678901234567.0", "1000000000000000.0", "9999999999999998.0", "0.1e1", "100e-2",
    "1.7976931348623157e+308", "1.7976931348623158e+308", "1.7976931348623159e+308",
    "0.30000000000000004", "123e-20", "-2.5e+25", "7e-10",
    # integers of any size
    "123456789012345678901234567890", "-123456789012345678901234567890",
    "99999999999999999999999999999999999999999999999999", "9223372036854775807",
    "9223372036854775808", "-9223372036854775809", "18446744073709551616", "-1", "42",
    # literals
    "true", "false", "null",
    # strings: escapes, ensure_ascii, surrogates
    '""', '"plain ascii"', '"quote \\" and backslash \\\\"', '"slash / and escaped \\/ slash"',
    '"tab\\t newline\\n return\\r backspace\\b formfeed\\f"',
    '"controls \\u0000 \\u0001 \\u001f"', '"del \u007f raw"', '"del escaped \\u007f"',
    '"latin-1 \u00e9\u00ff \u00a0"', '"bmp \u20ac \u4e2d\u6587 \uffff \ue000 \ufeff"',
    '"emoji \U0001F600 \U0001F44D\U0001F3FD"', '"escaped pair \\ud83d\\ude00"',
    '"lone high \\ud800 end"', '"lone low \\udc00 end"', '"reversed \\udc00\\ud800"',
    '"Upper \\u00E9 hex"', '"mixed \\u0041\\u00e9\U00010348"', '"https://203.0.113.7:41234"',
    '"https:\\/\\/203.0.113.7:41234\\/path?q=1&r=2"', '"<script>alert(\'x\')</script>"',
    '"tilde ~ and space  "', '"{not: an object}"', '"[1, 2]"',
    # containers
    "{}", "[]", "[{}]", "{\"a\": []}", "[[], {}, [[]]]", '{"c":[1,{"x":1}]}',
    '{"b": 1, "a": 2, "c": {"z": null, "y": [true, false]}}',
    '[1, 1.0, -0, -0.0, "1", [1], {"1": 1}]',
    '{"nested": {"deeper": {"deepest": {"value": [1, [2, [3, [4]]]]}}}}',
    '  {  "spaces"  :  [ 1 , 2 ]  }  ',
    # key ordering: code point order, not UTF-16 order
    '{"\\ue000": 1, "\\ud83d\\ude00": 2, "\\uffff": 3, "a": 4, "B": 5, "": 6}',
    '{"\U0001F600": "emoji", "\uE000": "private use", "\uFB01": "ligature", "z": "z"}',
    '{"\\udc00": "lone low", "\\ud800\\udc00": "U+10000", "\\ud800": "lone high", "\\ue000": "e000"}',
    '{"aa": 1, "a": 2, "ab": 3, "a\\u0000": 4, "A": 5, "_": 6, "~": 7}',
    '{"\u00e9": 1, "e": 2, "f": 3, "\u00ff": 4}',
    # duplicate keys: the last value wins
    '{"a": 1, "a": 2}', '{"b": 1, "a": 1, "b": {"x": 1}, "b": [3]}',
    '{"x": {"k": 1, "k": 2}, "x": {"k": 3}}', '{"a\\u0062": 1, "ab": 2}',
    # auth_data-like objects (legacy five-field message and url-only message)
    '{"cost": 100, "endpoint": "my-ep", "reqnum": 123, "request_idx": 456, "url": "https://1.2.3.4:40123"}',
    '{"url": "https://1.2.3.4:40123", "request_idx": 0, "reqnum": 0, "endpoint": "/generate", "cost": 1.0}',
    '{"cost": 1e2, "endpoint": "ep", "reqnum": 1, "request_idx": 2, "url": ""}',
    '{"url": "https://203.0.113.7:41234"}', '{"url": null}', '{"url": 5}', '{"url": ["a"]}',
]


def random_doubles(rng, count):
    values = []
    while len(values) < count:
        bits = rng.getrandbits(64)
        (value,) = struct.unpack("<d", struct.pack("<Q", bits))
        if value != value or value in (float("inf"), float("-inf")):
            continue
        values.append(value)
    # values of everyday magnitudes, where fixed notation and rounding matter most
    for _ in range(count):
        values.append(rng.uniform(-1e6, 1e6) / (10 ** rng.randint(0, 12)))
    for _ in range(count // 4):
        values.append(float(rng.randint(-(10 ** 18), 10 ** 18)))
    return values


def random_texts(rng, values):
    texts = []
    for i, value in enumerate(values):
        style = i % 3
        if style == 0:
            texts.append(repr(value))
        elif style == 1:
            texts.append("%.17g" % value)  # not the shortest digits: forces real round-trip work
        else:
            texts.append("%.20e" % value)
    return texts


def main():
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("canonical_json.json")
    rng = random.Random(20251123)
    inputs = list(HANDWRITTEN)
    inputs.extend(random_texts(rng, random_doubles(rng, 200)))
    # a few random objects with random keys (including non-ASCII) and nested values
    for _ in range(20):
        obj = {}
        for _ in range(rng.randint(0, 6)):
            key = "".join(chr(rng.choice([rng.randint(0x20, 0x7E), rng.randint(0xA0, 0xD7FF),
                                          rng.randint(0xE000, 0xFFFF), rng.randint(0x10000, 0x10FFFF)]))
                          for _ in range(rng.randint(0, 4)))
            obj[key] = rng.choice([rng.random(), rng.randint(-10 ** 20, 10 ** 20), key, None, [key, 1.5], {}])
        inputs.append(json.dumps(obj, ensure_ascii=rng.random() < 0.5))

    vectors = []
    for raw in inputs:
        expected = json.dumps(json.loads(raw), indent=4, sort_keys=True)
        vectors.append({"input": raw, "expected": expected})
    with open(out, "w", encoding="ascii", newline="\n") as handle:
        json.dump(vectors, handle, indent=1, ensure_ascii=True)
        handle.write("\n")
    print(f"wrote {len(vectors)} vectors to {out}")


if __name__ == "__main__":
    main()
