"""Parses every file of a LookML output with lkml (PyPI) — views and models —
and dashboards as YAML; prints {path: parsed} as JSON, or exits 1 naming the
file that does not parse. Usage: python3 parse.py LOOKML_DIR"""

import json
import pathlib
import sys

import lkml
import yaml

root = pathlib.Path(sys.argv[1])
parsed = {}
for path in sorted(root.rglob("*")):
    if not path.is_file():
        continue
    name = path.relative_to(root).as_posix()
    text = path.read_text(encoding="utf-8")
    try:
        if name.endswith(".lkml"):
            parsed[name] = lkml.load(text)
        elif name.endswith(".dashboard.lookml"):
            parsed[name] = yaml.safe_load(text)
        else:
            raise ValueError("not a LookML file")
    except Exception as error:  # report which file, whatever the parser raised
        print(f"{name}: {error}", file=sys.stderr)
        sys.exit(1)
json.dump(parsed, sys.stdout, sort_keys=True)
