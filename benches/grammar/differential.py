#!/usr/bin/env python3
"""Syntax errors of two kpic builds, compared on mutated copies of every .kpi
file in the repository: for tuning grammar/kpi.pest without changing what an
error says was expected. Not run in CI (it needs the build before a change).

    cp target/release/kpic /tmp/kpic-before    # before changing the grammar
    cargo build --release
    python3 benches/grammar/differential.py /tmp/kpic-before target/release/kpic

Each file gets --per mutants (a token deleted, inserted, replaced, or the text
cut after it; every other one on an expression line). Both builds run
`kpic check --format json` on each; the script prints the first differences
and exits 1 when any output differs. The mutants are the same on every run
(--seed).
"""
import argparse
import pathlib
import random
import re
import subprocess
import sys
import tempfile

TOKEN = re.compile(r'"""[\s\S]*?"""|"(?:\\.|[^"\\\n])*"|[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?%?|<=|>=|!=|<>|\S')
EXPRESSION_LINE = ("value", "filter", "where", "dimension", "join")
INSERTED = [
    "(", ")", "{", "}", "[", "]", ",", "=", "==", "-", "+", "*", "/", "<", ">=", "!", "!=", "%", ":", ".", "x.",
    "and", "or", "not", "in", "is", "is not", "in (", "not in (", "null", "case", "case when", "when", "end",
    "where", "at", "title", "value", "kpi", "source", "sql", "sql(", "sum(", "x.y", '"x"', '"a', "'a'", '"""',
    "12", "3%", "1a", "5 days", "2024-01", "2024-01-01", "#c\n", "\n", "é",
]


def mutants(text, count, rng):
    tokens = list(TOKEN.finditer(text))
    if not tokens:
        return
    line_of = lambda t: text[text.rfind("\n", 0, t.start()) + 1 : t.start()]
    in_expressions = [t for t in tokens if any(w in line_of(t) for w in EXPRESSION_LINE)]
    for k in range(count):
        token = rng.choice(in_expressions if in_expressions and k % 2 else tokens)
        kind = k % 4
        if kind == 0:
            yield text[: token.start()] + text[token.end() :]
        elif kind == 1:
            yield text[: token.start()] + rng.choice(INSERTED) + " " + text[token.start() :]
        elif kind == 2:
            yield text[: token.start()] + rng.choice(INSERTED) + text[token.end() :]
        else:
            yield text[: token.end()]


def check(kpic, folder):
    run = subprocess.run([kpic, "check", "--format", "json", folder], capture_output=True, text=True)
    return run.returncode, run.stdout, run.stderr


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--per", type=int, default=30, help="mutants per file (default 30)")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    root = pathlib.Path(__file__).resolve().parents[2]
    files = sorted(p for p in root.rglob("*.kpi") if "target" not in p.relative_to(root).parts)
    rng = random.Random(args.seed)
    total = differ = 0
    with tempfile.TemporaryDirectory() as scratch:
        for path in files:
            text = path.read_text(encoding="utf-8", errors="replace")
            for mutant in mutants(text, args.per, rng):
                folder = pathlib.Path(scratch, str(total))
                folder.mkdir()
                (folder / "a.kpi").write_text(mutant, encoding="utf-8")
                before, after = check(args.before, folder), check(args.after, folder)
                if before != after:
                    differ += 1
                    if differ <= 10:
                        print(f"differs: mutant {total} of {path.relative_to(root)}")
                        for old, new in zip(before[1].splitlines(), after[1].splitlines()):
                            if old != new:
                                print(f"  before: {old[:300]}\n  after:  {new[:300]}")
                        (pathlib.Path(tempfile.gettempdir()) / f"kpic-mutant-{total}.kpi").write_text(mutant)
                total += 1
    print(f"{total} mutants of {len(files)} files, {differ} differ")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
