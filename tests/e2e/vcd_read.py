"""Reads a VCD (fst2vcd's output) into {full signal name: [(time, value)]}:
shared by the wave checks of tests/e2e (check_wave.py, check_link_wave.py)."""
import re


def read_vcd(text):
    """{full signal name: [(time, value)]}; vectors and scalars as int or 'z', strings as str."""
    names, scope, waves, time = {}, [], {}, 0
    for line in text.splitlines():
        words = line.split()
        if not words:
            continue
        if words[0] == "$scope":
            scope.append(words[2])
        elif words[0] == "$upscope":
            scope.pop()
        elif words[0] == "$var":
            names.setdefault(words[3], []).append(".".join(scope + [words[4]]))
        elif line[0] == "#":
            time = int(line[1:])
        elif line[0] in "bs" or line[0] in "01xz":
            if line[0] in "bs":
                raw, ident = line[1:].rsplit(" ", 1)
            else:
                raw, ident = line[0], line[1:]
            if line[0] == "s":
                value = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), raw)
            else:
                value = "z" if set(raw) == {"z"} else int(raw, 2)
            for name in names.get(ident, []):
                waves.setdefault(name, []).append((time, value))
    return waves
