"""Engine server for Snowflake SQL: fakesnow, which translates Snowflake SQL with sqlglot and runs
it on DuckDB, behind `snowflake.connector.connect` patched by `fakesnow.patch()`.

Holds one connection and answers JSON lines on stdin, one JSON reply per line on stdout:

    {"op": "load", "schema": s, "table": t, "columns": [[name, type], ...], "rows": [[text|null, ...], ...]}
        creates the schema if needed and the table s.t (replacing it); types: string (VARCHAR),
        number (DOUBLE), boolean, date, timestamp (TIMESTAMP_NTZ holding the UTC reading given),
        datetime (TIMESTAMP_NTZ)                             → {"ok": true}
    {"op": "execute", "sql": statement}                      → {"ok": true}
    {"op": "query", "sql": select}                           → {"rows": [[value, ...], ...]}
    any failure                                              → {"error": message}

`{"ready": true}` once connected; EOF on stdin ends it. DATE values are rendered "YYYY-MM-DD",
timestamps "YYYY-MM-DD HH:MM:SS[.ffffff]" (one with a zone as its UTC reading).

Names are written as Snowflake users write them, as kpic does: a lowercase name as its upper-case
folding (what it means unquoted), any other name quoted as written. fakesnow itself does not
tell case apart: DuckDB's names are case-insensitive, quoted or not.
"""

import datetime
import json
import math
import os
import re
import sys
import warnings
from decimal import Decimal

# This file's folder comes first on the path, and its name would hide the `snowflake` package.
sys.path.remove(os.path.dirname(os.path.abspath(__file__)))

import fakesnow  # noqa: E402
import snowflake.connector  # noqa: E402

# DuckDB warns on every result that fakesnow reads as Arrow.
warnings.filterwarnings("ignore", module="fakesnow")

# Load types: the Snowflake type, and the Python value a CSV text is bound as.
TYPES = {
    "string": ("VARCHAR", str),
    "number": ("DOUBLE", float),
    "boolean": ("BOOLEAN", {"true": True, "false": False}.__getitem__),
    "date": ("DATE", datetime.date.fromisoformat),
    "timestamp": ("TIMESTAMP_NTZ", datetime.datetime.fromisoformat),
    "datetime": ("TIMESTAMP_NTZ", datetime.datetime.fromisoformat),
}


def quote(name):
    """A lowercase name quoted in upper case, which is the name it stands for unquoted (`signups` →
    `"SIGNUPS"`; a reserved word too: `start` → `"START"`, as kpic writes it); any other name
    quoted as written."""
    if re.fullmatch(r"[a-z_][a-z0-9_$]*", name):
        name = name.upper()
    return '"' + name.replace('"', '""') + '"'


def load(cursor, schema, table, columns, rows):
    ddl = ", ".join(f"{quote(name)} {TYPES[kind][0]}" for name, kind in columns)
    cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {quote(schema)}")
    cursor.execute(f"CREATE OR REPLACE TABLE {quote(schema)}.{quote(table)} ({ddl})")
    if rows:
        row = "(" + ", ".join("?" for _ in columns) + ")"
        values = [None if text is None else TYPES[kind][1](text) for r in rows for (_, kind), text in zip(columns, r)]
        cursor.execute(f"INSERT INTO {quote(schema)}.{quote(table)} VALUES " + ", ".join([row] * len(rows)), values)


def value(v):
    if isinstance(v, datetime.datetime):
        if v.tzinfo is not None:
            v = v.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        return v.isoformat(" ")
    if isinstance(v, datetime.date):
        return v.isoformat()
    if isinstance(v, Decimal):
        v = int(v) if v == v.to_integral_value() else float(v)
    if isinstance(v, float) and not math.isfinite(v):
        return "NaN" if math.isnan(v) else "Infinity" if v > 0 else "-Infinity"
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    return str(v)


def answer(cursor, request):
    op = request["op"]
    if op == "load":
        load(cursor, request["schema"], request["table"], request["columns"], request["rows"])
    elif op == "execute":
        sql = request["sql"].rstrip()
        cursor.execute(sql[:-1] if sql.endswith(";") else sql)
    elif op == "query":
        cursor.execute(request["sql"])
        return {"rows": [[value(v) for v in row] for row in cursor.fetchall()]}
    else:
        raise ValueError(f"unknown op {op!r}")
    return {"ok": True}


def reply(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def main():
    sys.stdin.reconfigure(encoding="utf-8")
    sys.stdout.reconfigure(encoding="utf-8")
    with fakesnow.patch():
        # qmark: rows are bound as values, not formatted into the SQL by the connector.
        cursor = snowflake.connector.connect(database="kpic", schema="public", paramstyle="qmark").cursor()
        reply({"ready": True})
        for line in sys.stdin:
            try:
                reply(answer(cursor, json.loads(line)))
            except Exception as e:  # the engine's message, and keep serving
                reply({"error": str(e)})


main()
