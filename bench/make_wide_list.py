#!/usr/bin/env python3
"""Builds the wide benchmark list from a real GRASP list by rewriting its
header and records: every peel subshell nl gets two more copies with n + 4
and n + 8 (gd_19peel_9J's 4d..7p become 4d..15p: 57 peel subshells, 171
descriptor columns), and record i uses copy i mod 3. Lines 2 and 3 are kept
as they are (the field positions do not move), so every record stays a
valid CSF of the same J and parity; blocks and separators are kept.

    python3 bench/make_wide_list.py gd_19peel_9J.c wide_57peel.c

The result has as many CSFs as the input (3,894,509 for gd_19peel_9J) and
the width of the rCSFs performance log's 56-orbital lists.
"""
import sys

SHIFTS = (0, 4, 8)


def shifted_field(field, shift):
    """A 9-byte line-1 field ' nnl-( q)' (or a 5-byte peel entry) with n + shift."""
    n = int(field[1:3]) + shift
    if n > 15:
        raise SystemExit(f"n = {n} > 15 after the shift: not a GRASP orbital")
    return field[0] + f"{n:2d}" + field[3:]


def main(src, dst):
    with open(src, "r", encoding="ascii", newline="") as f, \
            open(dst, "w", encoding="ascii", newline="") as out:
        header = [f.readline() for _ in range(5)]
        peel = header[3].rstrip("\n")
        entries = [peel[i:i + 5].ljust(5) for i in range(0, len(peel), 5)]
        wide = [shifted_field(e, s) for s in SHIFTS for e in entries if e.strip()]
        header[3] = "".join(wide).rstrip() + "\n"
        out.writelines(header)
        record = 0
        while True:
            line = f.readline()
            if not line:
                break
            if line.strip() == "*":
                out.write(line)
                continue
            l2, l3 = f.readline(), f.readline()
            shift = SHIFTS[record % len(SHIFTS)]
            body = line.rstrip("\n")
            fields = [body[i:i + 9] for i in range(0, len(body), 9)]
            out.write("".join(shifted_field(x, shift) for x in fields) + "\n")
            out.write(l2)
            out.write(l3)
            record += 1
    print(f"{dst}: {record} CSFs, {len(wide)} peel subshells")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2])
