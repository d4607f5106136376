"""Every ```python block in README.md and docs/**/*.md runs, verbatim.

Each block is executed with ``exec`` in a fresh namespace, in a temporary working
directory, so a reader can paste any block and it works. Two markers, on the line above a
block's fence (blank lines allowed), change that:

- ``<!-- continues -->``: the block runs in the namespace of the previous python block of
  the same page; such a chain is one test case, named after its first block.
- ``<!-- not run: reason -->``: the block (and the rest of its chain) is skipped with
  that reason.

Each block also pastes into Python's interactive prompt: no blank line inside an indented
block (it would end the block there) and a blank line after one (the prompt needs it
before the next statement).

Pages are found when the tests are collected, so new pages are covered without editing
this file.
"""
import code
import linecache
import os
import re
import sys
import textwrap
from pathlib import Path

# Set before anything imports matplotlib, so figures made by the blocks need no display.
os.environ["MPLBACKEND"] = "Agg"

import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]

FENCE = re.compile(r"^\s*(`{3,}|~{3,})\s*([\w+-]*)")
CONTINUES = re.compile(r"^<!--\s*continues\s*-->$")
NOT_RUN = re.compile(r"^<!--\s*not run:\s*(.*?)\s*-->$")


class Block:
    def __init__(self, page, line, code, marker):
        self.page, self.line, self.code = page, line, code   # line: the opening fence's
        self.continues = bool(CONTINUES.match(marker))
        skip = NOT_RUN.match(marker)
        self.skip = skip.group(1) if skip else None

    @property
    def name(self):
        return f"{self.page.relative_to(ROOT).as_posix()}:{self.line}"


def python_blocks(page):
    """The page's python blocks, each with the non-blank line above its fence."""
    lines = page.read_text(encoding="utf-8").splitlines()
    blocks, i = [], 0
    while i < len(lines):
        fence = FENCE.match(lines[i])
        if not fence:
            i += 1
            continue
        ticks, language = fence.groups()
        end = i + 1
        while end < len(lines) and not lines[end].strip().startswith(ticks):
            end += 1
        if language.lower() in ("python", "py"):
            above = [line.strip() for line in lines[:i] if line.strip()]
            code = textwrap.dedent("\n".join(lines[i + 1:end]))
            blocks.append(Block(page, i + 1, code, above[-1] if above else ""))
        i = end + 1
    return blocks


def chains():
    """Blocks grouped so that each ``<!-- continues -->`` block follows its predecessor."""
    groups = []
    for page in PAGES:
        for block in python_blocks(page):
            if block.continues and groups and groups[-1][0].page == page:
                groups[-1].append(block)
            else:
                groups.append([block])
    return groups


CHAINS = chains()


def compile_block(block):
    """The block's code, named e.g. ``docs/optim.md:61`` (the fence's line) so that a
    traceback shows the block's own lines, numbered from 1 within it."""
    source = block.code + "\n"
    linecache.cache[block.name] = (len(source), None, source.splitlines(True), block.name)
    return compile(source, block.name, "exec")


@pytest.mark.parametrize("chain", CHAINS, ids=[chain[0].name for chain in CHAINS])
def test_block_runs(chain, tmp_path, monkeypatch):
    assert not chain[0].continues, f"{chain[0].name}: <!-- continues --> with no block before"
    monkeypatch.chdir(tmp_path)   # files the blocks write land here
    namespace = {"__name__": "__main__"}
    try:
        for block in chain:
            if block.skip:
                pytest.skip(f"{block.name}: {block.skip}")
            exec(compile_block(block), namespace)
    finally:
        if "matplotlib.pyplot" in sys.modules:
            sys.modules["matplotlib.pyplot"].close("all")


class _Prompt(code.InteractiveConsole):
    """Python's interactive prompt, reading pasted lines without running them."""

    def __init__(self):
        super().__init__()
        self.errors = []

    def runcode(self, code_):
        pass

    def showsyntaxerror(self, filename=None, **kwargs):
        self.errors.append(str(sys.exc_info()[1]))


BLOCKS = [block for chain in CHAINS for block in chain]


@pytest.mark.parametrize("block", BLOCKS, ids=[block.name for block in BLOCKS])
def test_block_pastes_into_the_prompt(block):
    prompt = _Prompt()
    for number, line in enumerate(block.code.splitlines() + [""], 1):
        prompt.push(line)
        assert not prompt.errors, f"{block.name}, line {number} of the block: {prompt.errors}"
