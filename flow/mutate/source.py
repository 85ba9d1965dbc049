# SPDX-License-Identifier: Apache-2.0
"""Source-level mutants of the RTL: one token (or one condition) changed, as a readable diff.

A mutant is the RTL with one change a designer could have made by mistake,
written back as SystemVerilog, so a user reads it as a diff and reruns it by
its id. The mutator is a lexer, not a parser: comments and strings are
blanked first (positions kept), then a token regex walks the text, and each
kind below is recognised from a token and its neighbours:

=================  =====================================================
kind               change
=================  =====================================================
``op_add/op_sub``  binary ``-`` -> ``+`` and ``+`` -> ``-``
``op_or/and/xor``  binary ``&`` -> ``|``, ``|`` -> ``&``, ``^`` -> ``|``
``op_eq/op_ne``    ``!=`` -> ``==``, ``==`` -> ``!=``
``op_lt/le/gt/ge`` ``<=`` -> ``<``, ``<`` -> ``<=``, ``>=`` -> ``>``, ``>`` -> ``>=``
                   (``<=`` only inside parentheses: elsewhere it assigns)
``op_land/lor``    ``||`` -> ``&&``, ``&&`` -> ``||``
``op_shl/op_shr``  ``>>`` -> ``<<``, ``<<`` -> ``>>`` (``>>>`` -> ``>>``)
``not_drop``       a unary ``!`` or ``~`` removed
``const_inc/dec``  a number +1 / -1 (a sized literal keeps its width and base)
``index_inc/dec``  the same for a number inside ``[...]``: a bit or part select
``if_neg``         ``if (c)`` -> ``if (!(c))``
``if_true/false``  ``if (c)`` -> ``if (1'b1)`` / ``if (1'b0)``
``ternary_swap``   ``c ? a : b`` -> ``c ? b : a``
=================  =====================================================

Left alone (not design logic, or not built by default): preprocessor lines,
parameter declarations (every instance overrides them), the bounds of
declarations, the RTL assertion macros (checkers, not design), and code in an
`` `ifdef`` branch a default build does not compile (planted bugs, the
assertion bodies). A mutant's id is ``<file>:<line>:<col>:<kind>``, stable
while the file's text is.
"""

from __future__ import annotations

import difflib
import random
import re
from dataclasses import asdict, dataclass
from pathlib import Path

#: Files with design logic that a mutation may change (the generated package and
#: names, and the assertion macros, are not). The include file is the FP blocks'
#: shared normalizing shift, a macro expanded into three of them.
MUTABLE_SUFFIXES = (".sv", ".svh")
NOT_MUTATED = ("lut_tc_pkg.sv", "lut_tc_names.svh", "lut_tc_assert.svh")

_TOKEN = re.compile(
    r"""
    (?P<num>(?:\d[\d_]*\s*)?'[sS]?[bBoOdDhH]\s*[0-9a-fA-F_xXzZ?]+|'[01xXzZ](?![\w'])|\d[\d_]*(?:\.\d+)?)
   |(?P<id>`?[A-Za-z_$][A-Za-z0-9_$]*)
   |(?P<op><<<=|>>>=|<<=|>>=|<<<|>>>|===|!==|->|<<|>>|<=|>=|==|!=|&&|\|\||~&|~\||~\^|\^~|\+:|-:
        |::|\+\+|--|\+=|-=|\*=|/=|&=|\|=|\^=|\*\*|[-+*/%<>=!~&|^?:;,.()\[\]{}@\#'])
    """,
    re.X,
)
#: Words after which an operator is unary (they end no operand).
_KEYWORDS = frozenset(
    "if else case casez casex unique priority return assign begin end always always_comb "
    "always_ff always_latch posedge negedge or and not for while repeat default".split()
)
_DECL = re.compile(
    r"^\s*(?:input|output|inout|logic|wire|reg|bit|int|integer|genvar|typedef|localparam\s+\w+\s*\[|"
    r"(?:[A-Za-z_]\w*::)?[A-Za-z_]\w*_t\b)"
)
_BINARY_SWAP = {
    "+": ("-", "op_sub"),
    "-": ("+", "op_add"),
    "&": ("|", "op_or"),
    "|": ("&", "op_and"),
    "^": ("|", "op_or"),
    "==": ("!=", "op_ne"),
    "!=": ("==", "op_eq"),
    "<": ("<=", "op_le"),
    ">": (">=", "op_ge"),
    ">=": (">", "op_gt"),
    "&&": ("||", "op_lor"),
    "||": ("&&", "op_land"),
    "<<": (">>", "op_shr"),
    ">>": ("<<", "op_shl"),
    ">>>": (">>", "op_shr"),
    "<<<": ("<<", "op_shl"),
}
KINDS = tuple(
    sorted(
        {k for _, k in _BINARY_SWAP.values()}
        | {"op_lt", "not_drop", "const_inc", "const_dec", "index_inc", "index_dec"}
        | {"if_neg", "if_true", "if_false", "ternary_swap"}
    )
)


@dataclass(frozen=True)
class Mutant:
    """One change to one file: where, what it replaces, and what with."""

    file: str  #: the file's name under the RTL folder
    line: int
    col: int
    kind: str
    start: int  #: character offsets of the replaced text in the original file
    end: int
    new: str
    old: str
    module: str  #: the enclosing module (an include file: its own name)

    @property
    def id(self) -> str:
        return f"{self.file}:{self.line}:{self.col}:{self.kind}"

    def apply(self, text: str) -> str:
        """The file's text with this change; refuses a text it was not made from."""
        if text[self.start : self.end] != self.old:
            raise ValueError(f"{self.id}: the file changed since the mutant was made")
        return text[: self.start] + self.new + text[self.end :]

    def diff(self, text: str) -> str:
        """A unified diff of the change (three lines of context), as ``diff -u`` prints it."""
        new = self.apply(text)
        return "".join(
            difflib.unified_diff(
                text.splitlines(keepends=True),
                new.splitlines(keepends=True),
                f"a/rtl/{self.file}",
                f"b/rtl/{self.file}",
            )
        )

    def to_dict(self) -> dict:
        return {"id": self.id, **asdict(self)}


def mask(text: str) -> str:
    """``text`` with comments and string literals blanked (newlines and offsets kept)."""
    out = list(text)
    i, n = 0, len(text)
    while i < n:
        two = text[i : i + 2]
        if two == "//":
            j = text.find("\n", i)
            j = n if j < 0 else j
        elif two == "/*":
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
        elif text[i] == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            j = min(n, j + 1)
        else:
            i += 1
            continue
        for k in range(i, j):
            if out[k] != "\n":
                out[k] = " "
        i = j
    return "".join(out)


def built_lines(masked: str) -> list[bool]:
    """Per line (0-based): does a default build compile it? Directive lines say False.

    Every macro is undefined except those the file defines in a compiled
    branch, as a default build sees it (``LUT_TC_ASSERTIONS`` off: assertion
    bodies are checkers, not design).
    """
    defined: set[str] = set()
    stack: list[tuple[bool, bool, bool]] = []  # (parent active, this branch, any branch taken)
    active = True
    out: list[bool] = []
    for line in masked.split("\n"):
        s = line.strip()
        m = re.match(r"`(ifdef|ifndef|elsif|else|endif|define|undef)\b\s*(\w*)", s)
        if not m:
            out.append(active)
            continue
        out.append(False)
        what, name = m.groups()
        if what in ("ifdef", "ifndef"):
            cond = (name in defined) == (what == "ifdef")
            stack.append((active, cond, cond))
            active = active and cond
        elif what == "elsif" and stack:
            parent, _, taken = stack[-1]
            cond = not taken and name in defined
            stack[-1] = (parent, cond, taken or cond)
            active = parent and cond
        elif what == "else" and stack:
            parent, _, taken = stack[-1]
            stack[-1] = (parent, not taken, True)
            active = parent and not taken
        elif what == "endif" and stack:
            active = stack.pop()[0]
        elif what == "define" and active:
            defined.add(name)
        elif what == "undef" and active:
            defined.discard(name)
    return out


@dataclass
class _Tok:
    kind: str  # num | id | op
    text: str
    start: int
    end: int
    depth: int  #: () [] {} nesting before this token
    bracket: int  #: [] nesting before this token


def tokens(masked: str) -> list[_Tok]:
    toks: list[_Tok] = []
    depth = bracket = 0
    for m in _TOKEN.finditer(masked):
        kind = m.lastgroup or "op"
        text = m.group()
        if text in (")", "]", "}"):
            depth = max(0, depth - 1)
            bracket = max(0, bracket - (text == "]"))
        toks.append(_Tok(kind, text, m.start(), m.end(), depth, bracket))
        if text in ("(", "[", "{"):
            depth += 1
            bracket += text == "["
    return toks


def _ends_operand(t: _Tok | None) -> bool:
    if t is None:
        return False
    if t.kind == "num":
        return True
    if t.kind == "id":
        return t.text not in _KEYWORDS and not t.text.startswith("`")
    return t.text in (")", "]", "}")


def _closing(toks: list[_Tok], i: int) -> int:
    """Index of the token closing the bracket at ``toks[i]``; -1 if unbalanced."""
    pairs = {"(": ")", "[": "]", "{": "}"}
    want, d = pairs[toks[i].text], 0
    for j in range(i, len(toks)):
        if toks[j].text == toks[i].text:
            d += 1
        elif toks[j].text == want:
            d -= 1
            if d == 0:
                return j
    return -1


_LIT = re.compile(r"^(\d[\d_]*)?\s*'([sS]?)([bBoOdDhH])\s*([0-9a-fA-F_]+)$")


def _number_variants(text: str) -> list[tuple[str, str]]:
    """(+1 text, 'inc'), (-1 text, 'dec') for a literal, within its width; none for x/z."""
    if re.fullmatch(r"\d[\d_]*", text):
        v = int(text.replace("_", ""))
        return [(str(v + 1), "inc")] + ([(str(v - 1), "dec")] if v > 0 else [])
    if text in ("'0", "'1"):
        return [("'1" if text == "'0" else "'0", "inc" if text == "'0" else "dec")]
    m = _LIT.match(text)
    if not m:
        return []
    width, signed, base, digits = m.groups()
    radix = {"b": 2, "o": 8, "d": 10, "h": 16}[base.lower()]
    v = int(digits.replace("_", ""), radix)
    w = int(width.replace("_", "")) if width else 32
    out = []
    for nv, tag in ((v + 1, "inc"), (v - 1, "dec")):
        if 0 <= nv < (1 << w):
            body = {2: f"{nv:b}", 8: f"{nv:o}", 10: f"{nv}", 16: f"{nv:x}"}[radix]
            if radix != 10:
                body = body.zfill(len(digits.replace("_", "")))
            out.append((f"{width or ''}'{signed}{base}{body}", tag))
    return out


def _assert_spans(toks: list[_Tok]) -> list[tuple[int, int]]:
    """Offsets of every RTL assertion macro call (its arguments too)."""
    spans = []
    for i, t in enumerate(toks):
        if t.kind == "id" and t.text.startswith("`LUT_TC_ASSERT"):
            j = i + 1 if i + 1 < len(toks) and toks[i + 1].text == "(" else -1
            k = _closing(toks, j) if j > 0 else -1
            spans.append((t.start, toks[k].end if k > 0 else t.end))
    return spans


def _module_at(masked: str, pos: int, default: str) -> str:
    found = None
    for m in re.finditer(r"\bmodule\s+(\w+)", masked[:pos]):
        found = m.group(1)
    return found or default


def mutants_of(path: Path) -> list[Mutant]:
    """Every mutant of one file, in file order (the ids are unique)."""
    text = path.read_text()
    masked = mask(text)
    lines = masked.split("\n")
    line_starts = [0]
    for ln in lines[:-1]:
        line_starts.append(line_starts[-1] + len(ln) + 1)
    built = built_lines(masked)
    toks = tokens(masked)
    spans = _assert_spans(toks)
    out: list[Mutant] = []

    def where(pos: int) -> tuple[int, int]:
        lo, hi = 0, len(line_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if line_starts[mid] <= pos:
                lo = mid
            else:
                hi = mid - 1
        return lo, pos - line_starts[lo]

    def usable(pos: int) -> bool:
        ln, _ = where(pos)
        if not built[ln] or any(a <= pos < b for a, b in spans):
            return False
        s = lines[ln]
        return not re.search(r"\bparameter\b", s)

    def add(start: int, end: int, new: str, kind: str) -> None:
        ln, col = where(start)
        module = _module_at(masked, start, path.stem)
        old = text[start:end]
        out.append(Mutant(path.name, ln + 1, col + 1, kind, start, end, new, old, module))

    for i, t in enumerate(toks):
        if not usable(t.start):
            continue
        prev = toks[i - 1] if i else None
        ln, _ = where(t.start)
        if t.bracket > 0 and _DECL.match(lines[ln]):
            continue  # a declaration's bounds
        if t.kind == "op":
            if t.text in _BINARY_SWAP and _ends_operand(prev):
                new, kind = _BINARY_SWAP[t.text]
                add(t.start, t.end, new, kind)
            elif t.text == "<=" and t.depth > 0 and _ends_operand(prev):
                add(t.start, t.end, "<", "op_lt")
            elif t.text in ("!", "~") and not _ends_operand(prev):
                add(t.start, t.end, "", "not_drop")
            elif t.text == "?" and _ends_operand(prev):
                _ternary(toks, i, text, add)
        elif t.kind == "num":
            if prev is not None and prev.text == "'":
                continue
            nxt = toks[i + 1] if i + 1 < len(toks) else None
            if nxt is not None and nxt.text == "'":
                continue  # a width cast, N'(x)
            tag = "index" if t.bracket > 0 else "const"
            for new, d in _number_variants(t.text):
                add(t.start, t.end, new, f"{tag}_{d}")
        elif t.kind == "id" and t.text == "if" and i + 1 < len(toks) and toks[i + 1].text == "(":
            k = _closing(toks, i + 1)
            if k < 0:
                continue
            a, b = toks[i + 1].end, toks[k].start
            cond = text[a:b]
            add(a, b, f"!({cond})", "if_neg")
            add(a, b, "1'b1", "if_true")
            add(a, b, "1'b0", "if_false")
    return out


def _ternary(toks: list[_Tok], i: int, text: str, add) -> None:
    """``c ? a : b`` -> ``c ? b : a``; the else arm ends at a ``;`` or ``,`` at this depth."""
    d = toks[i].depth
    nested = 0
    colon = end = -1
    for j in range(i + 1, len(toks)):
        t = toks[j]
        if t.depth < d:  # the closer of a bracket around the whole ternary
            end = j
            break
        if t.depth != d:
            continue
        if t.text == "?":
            nested += 1
        elif t.text == ":" and colon < 0:
            if nested:
                nested -= 1
            else:
                colon = j
        elif t.text in (";", ",") and colon >= 0:
            end = j
            break
    if colon < 0 or end < 0 or colon == i + 1 or end == colon + 1:
        return
    a0, a1 = toks[i + 1].start, toks[colon - 1].end
    b0, b1 = toks[colon + 1].start, toks[end - 1].end
    then, other = text[a0:a1], text[b0:b1]
    if then.strip() == other.strip():
        return
    new = other + text[a1:b0] + then
    add(a0, b1, new, "ternary_swap")


def mutable_files(rtl: Path) -> list[Path]:
    """The RTL files a mutation may change, sorted."""
    return sorted(
        p for p in rtl.iterdir() if p.suffix in MUTABLE_SUFFIXES and p.name not in NOT_MUTATED
    )


def all_mutants(rtl: Path, files: list[str] | None = None) -> list[Mutant]:
    """Every mutant of the mutable files (or of ``files``, names under ``rtl``)."""
    paths = [rtl / f for f in files] if files else mutable_files(rtl)
    return [m for p in paths for m in mutants_of(p)]


def sample(mutants: list[Mutant], n: int, seed: int) -> list[Mutant]:
    """``n`` mutants spread over the files: each file's shuffled list, taken round robin.

    Seeded, so the same (n, seed) gives the same sample; every file is
    represented once n reaches the number of files. ``n <= 0``: all of them.
    """
    if n <= 0 or n >= len(mutants):
        return sorted(mutants, key=_order)
    rng = random.Random(seed)
    by_file: dict[str, list[Mutant]] = {}
    for m in sorted(mutants, key=_order):
        by_file.setdefault(m.file, []).append(m)
    for ms in by_file.values():
        rng.shuffle(ms)
    picked: list[Mutant] = []
    while len(picked) < n:
        for f in sorted(by_file):
            if by_file[f] and len(picked) < n:
                picked.append(by_file[f].pop())
    return sorted(picked, key=_order)


def _order(m: Mutant) -> tuple:
    return (m.file, m.line, m.col, m.kind)


def find(mutants: list[Mutant], mutant_id: str) -> Mutant:
    """The mutant with this id; ValueError naming how to list them."""
    for m in mutants:
        if m.id == mutant_id:
            return m
    raise ValueError(
        f"MUTANT={mutant_id!r} unknown: ids are <file>:<line>:<col>:<kind> "
        "(tools/mutate.py --list-mutants prints them)"
    )
