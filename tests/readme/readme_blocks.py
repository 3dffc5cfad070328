"""The fenced blocks of README.md and who runs them.

Every ```sh block is preceded by `<!-- test: NAME -->`: NAME `readme` is run by
tests/readme/readme_check.py; any other NAME is a ctest that extracts that block itself, with
commands(block) below:

    import sys; sys.path.insert(0, "tests/readme"); import readme_blocks
    [block] = readme_blocks.named(readme_blocks.parse(path_to_readme), "cluster.roundtrip")
    for line, expected_exit in readme_blocks.commands(block): ...

A YAML block preceded by `<!-- file: NAME -->` is an input the commands read; the checker
writes it as NAME in the directory the commands run in.
"""
import re

FENCE = re.compile(r"^(\s*)```(\S*)\s*$")
TEST = re.compile(r"^<!--\s*test:\s*(\S+)\s*-->$")
FILE = re.compile(r"^<!--\s*file:\s*(\S+)\s*-->$")
EXIT = re.compile(r"#\s*exit\s+(\d+)\s*$")


class Block:
    def __init__(self, lang, line, text, test, file):
        self.lang, self.line, self.text, self.test, self.file = lang, line, text, test, file

    def __repr__(self):
        return f"README.md:{self.line}: ```{self.lang} (test: {self.test})"


def parse(path):
    """Every fenced block, with the annotation on the line just before its fence."""
    lines = open(path, encoding="utf-8").read().split("\n")
    blocks, i = [], 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        start, lang, body = i, m.group(2), []
        i += 1
        while i < len(lines) and not re.match(r"^\s*```\s*$", lines[i]):
            body.append(lines[i])
            i += 1
        before = lines[start - 1].strip() if start > 0 else ""
        test, file = TEST.match(before), FILE.match(before)
        blocks.append(Block(lang, start + 1, "\n".join(body) + "\n", test and test.group(1), file and file.group(1)))
        i += 1
    return blocks


def named(blocks, name):
    return [b for b in blocks if b.lang == "sh" and b.test == name]


def commands(block):
    """[(command line, expected exit status)]: continuation lines joined, blank and comment-only
    lines dropped; a trailing `# exit N` sets the status (default 0)."""
    return [(line, status) for line, status, _ in checked_commands(block)]


def checked_commands(block):
    """As commands(), with what each command's stdout must contain: the `#> TEXT` comment lines
    that follow it in the block (they read as the output the reader will see)."""
    out, pending = [], ""
    for raw in block.text.split("\n"):
        line = pending + raw
        if line.rstrip().endswith("\\"):
            pending = line.rstrip()[:-1] + " "
            continue
        pending = ""
        if line.strip().startswith("#> ") and out:
            out[-1][2].append(line.strip()[3:])
            continue
        if not line.strip() or line.strip().startswith("#"):
            continue
        m = EXIT.search(line)
        out.append((line.strip(), int(m.group(1)) if m else 0, []))
    return out
