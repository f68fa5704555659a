"""BigQuery engine server for kpic's execution tests: GoogleSQL run by ZetaSQL's reference
implementation (the PyPI package `zetasql`, a WASM build of ZetaSQL's local service).

Protocol: one JSON request per line on stdin, one JSON reply per line on stdout, `{"ready": true}`
once the engine is loaded (about a minute, compiling the WASM); any failure replies
`{"error": "..."}` and the server keeps serving.
  {"op": "load", "schema", "table", "columns": [[name, type]], "rows"}  -> {"ok": true}
      types: string, number (FLOAT64), boolean, date, timestamp (TIMESTAMP, given as its UTC
      reading), datetime (DATETIME); values are CSV-like strings or null.
  {"op": "execute", "sql"} -> {"ok": true}; the statements are
      CREATE SCHEMA [IF NOT EXISTS] d, CREATE [OR REPLACE] VIEW [IF NOT EXISTS] d.v AS <query>,
      DROP VIEW [IF EXISTS] d.v.
  {"op": "query", "sql"} -> {"rows": [[value, ...], ...]}, DATE as "YYYY-MM-DD", TIMESTAMP and
      DATETIME as "YYYY-MM-DD HH:MM:SS[.ffffff]".

ZetaSQL only analyzes and evaluates queries over in-memory tables, so DDL is done here: a view's
query is analyzed when it is created (names and types bound, as BigQuery does), and evaluated, in
UTC like BigQuery, into a table the first time a query reads the view; loading a table empties
every view again.

Names: the local service only gives contents to tables of the root catalog, so a table `d.t` is
the root's table named "d.t", and every `d.t` or `` `d`.`t` `` naming a table is written
`` `d.t` `` before a query is analyzed (the same name in BigQuery).
"""

import datetime
import json
import math
import os
import re
import sys
from typing import NamedTuple

from google.protobuf import empty_pb2
from zetasql.core import ServerError, WasmClient
from zetasql.wasi import get_wasm_path
from zetasql.wasi._pb2.zetasql.local_service import local_service_pb2 as service
from zetasql.wasi._pb2.zetasql.proto import options_pb2 as proto_options
from zetasql.wasi._pb2.zetasql.public import options_pb2 as options
from zetasql.wasi._pb2.zetasql.public import type_pb2 as types
from zetasql.wasi._pb2.zetasql.public import value_pb2 as values

EPOCH = datetime.datetime(1970, 1, 1)
DATETIME_FIELDS = (("year", 14), ("month", 4), ("day", 5), ("hour", 5), ("minute", 6), ("second", 6))
NON_FINITE = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}
LOAD_TYPES = {
    "string": types.TYPE_STRING,
    "number": types.TYPE_DOUBLE,
    "boolean": types.TYPE_BOOL,
    "date": types.TYPE_DATE,
    "timestamp": types.TYPE_TIMESTAMP,
    "datetime": types.TYPE_DATETIME,
}


class Table(NamedTuple):
    columns: list  # [(name, TypeProto)]
    rows: list | None  # [[ValueProto]]; None for a view not evaluated since it or its inputs changed
    view_sql: str | None  # a view's query


def datetime_bits(at):
    """ZetaSQL's packing of a DATETIME down to the second."""
    bits = 0
    for field, width in DATETIME_FIELDS:
        bits = bits << width | getattr(at, field)
    return bits


def from_bits(bits, nanos):
    fields = {}
    for field, width in reversed(DATETIME_FIELDS):
        fields[field], bits = bits & (1 << width) - 1, bits >> width
    return datetime.datetime(**fields, microsecond=nanos // 1000)


def to_value(kind, text):
    value = values.ValueProto()
    if text is None:
        return value
    if kind == "string":
        value.string_value = text
    elif kind == "number":
        value.double_value = float(text)
    elif kind == "boolean":
        if text.lower() not in ("true", "false"):
            raise ValueError(f"not a boolean: {text!r}")
        value.bool_value = text.lower() == "true"
    elif kind == "date":
        value.date_value = (datetime.date.fromisoformat(text) - EPOCH.date()).days
    elif kind == "timestamp":
        value.timestamp_value.FromDatetime(
            datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.timezone.utc))
    elif kind == "datetime":
        at = datetime.datetime.fromisoformat(text)
        value.datetime_value.bit_field_datetime_seconds = datetime_bits(at)
        value.datetime_value.nanos = at.microsecond * 1000
    return value


def to_json(type_, value):
    kind = type_.type_kind
    if value.WhichOneof("value") is None:
        return None
    if kind in (types.TYPE_STRING, types.TYPE_BOOL, types.TYPE_INT64):
        return getattr(value, value.WhichOneof("value"))
    if kind == types.TYPE_DOUBLE:
        number = value.double_value  # BigQuery's API too renders the non-finite ones as strings
        return number if math.isfinite(number) else NON_FINITE[str(number)]
    if kind in (types.TYPE_NUMERIC, types.TYPE_BIGNUMERIC):  # little-endian value * 10^scale
        scaled = int.from_bytes(getattr(value, value.WhichOneof("value")), "little", signed=True)
        return scaled / 10 ** (9 if kind == types.TYPE_NUMERIC else 38)
    if kind == types.TYPE_DATE:
        return str(EPOCH.date() + datetime.timedelta(days=value.date_value))
    if kind == types.TYPE_TIMESTAMP:
        at = value.timestamp_value
        return str(EPOCH + datetime.timedelta(seconds=at.seconds, microseconds=at.nanos // 1000))
    if kind == types.TYPE_DATETIME:
        return str(from_bits(value.datetime_value.bit_field_datetime_seconds, value.datetime_value.nanos))
    raise ValueError(f"cannot render a {types.TypeKind.Name(kind)} value")


# Blanks, comments and string literals carry no name: they match no group.
TOKEN = re.compile(r"\s+|--[^\n]*|#[^\n]*|/\*.*?\*/|'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`((?:[^`\\]|\\.)*)`|(\w+)|(.)", re.S)


class Head:
    """The words and names opening a statement, read as far as needed."""

    def __init__(self, sql):
        self.sql = sql
        self.tokens = self.scan()
        self.end = 0
        self.advance()

    def scan(self):
        position = 0
        while position < len(self.sql):
            match = TOKEN.match(self.sql, position)
            position = match.end()
            quoted, word, mark = match.groups()
            if quoted is not None:
                yield "name", re.sub(r"\\(.)", r"\1", quoted), position
            elif word or mark:
                yield ("word", word, position) if word else ("mark", mark, position)

    def advance(self):
        self.consumed = self.end  # where the text after the tokens read so far starts
        self.kind, self.text, self.end = next(self.tokens, ("end", "", len(self.sql)))

    def accept(self, first, *rest):
        """Consumes the keywords `first rest...` if `first` comes next, and says whether it did."""
        if not (self.kind == "word" and self.text.upper() == first):
            return False
        self.advance()
        for word in rest:
            self.expect(word)
        return True

    def expect(self, word):
        if not self.accept(word):
            raise ValueError(f"unsupported statement: expected {word} near {self.text!r}")

    def path(self):
        """A dotted name, each backquoted part split on its dots as BigQuery does."""
        parts = []
        while True:
            if self.kind not in ("word", "name"):
                raise ValueError(f"expected a name, got {self.text!r}")
            parts += self.text.split(".") if self.kind == "name" else [self.text]
            self.advance()
            if self.text != ".":
                return tuple(parts)
            self.advance()

    def finish(self):
        if self.text == ";":
            self.advance()
        if self.kind != "end":
            raise ValueError(f"unexpected {self.text!r}")


class Engine:
    def __init__(self):
        self.wasm = WasmClient(get_wasm_path())
        language = self.call("GetLanguageOptions", service.LanguageOptionsRequest(maximum_features=True),
                             proto_options.LanguageOptionsProto)
        language.product_mode = options.PRODUCT_EXTERNAL
        self.options = self.call("GetAnalyzerOptions", service.AnalyzerOptionsRequest(),
                                 proto_options.AnalyzerOptionsProto)
        self.options.language_options.CopyFrom(language)
        self.options.default_timezone = "UTC"
        self.options.ClearField("allowed_hints_and_options")  # its enum types would need a proto pool
        self.functions = proto_options.ZetaSQLBuiltinFunctionOptionsProto(language_options=language)
        self.schemas = set()
        self.tables = {}  # (schema, name) -> Table

    def call(self, method, request, reply=empty_pb2.Empty):
        return self.wasm.call_grpc_func("ZetaSqlLocalService_" + method, request, reply)

    def request(self, kind, sql):
        """A request to analyze or evaluate `sql`, with a catalog of the tables it names (only those:
        the evaluator's catalog is copied per query), each named as one name, `` `d.t` ``, the name
        the catalog knows."""
        tables = [(first, last, path) for first, last, path in two_part_names(sql) if path in self.tables]
        out, copied = [], 0
        for first, last, path in tables:
            out += [sql[copied:first], "`" + ".".join(path) + "`"]
            copied = last
        request = kind(sql="".join(out) + sql[copied:], options=self.options)
        request.simple_catalog.name = "bigquery"
        request.simple_catalog.builtin_function_options.CopyFrom(self.functions)
        for path in dict.fromkeys(path for _, _, path in tables):
            table = self.tables[path]
            add_table(request, ".".join(path), table.columns, table.rows or [])
        return request

    def analyze(self, sql):
        """The columns of a query, its names and types bound over the current tables."""
        reply = self.call("PrepareQuery", self.request(service.PrepareQueryRequest, sql), service.PrepareQueryResponse)
        self.call("UnprepareQuery", service.UnprepareQueryRequest(
            prepared_query_id=reply.prepared.prepared_query_id))
        return [(column.name, column.type) for column in reply.prepared.columns]

    def run(self, sql):
        self.evaluate_views_read_by(sql)
        reply = self.call("EvaluateQuery", self.request(service.EvaluateQueryRequest, sql),
                          service.EvaluateQueryResponse)
        columns = [(column.name, column.type) for column in reply.prepared.columns]
        return columns, [list(row.cell) for row in reply.content.table_data.row]

    def evaluate_views_read_by(self, sql):
        """Evaluates the views `sql` names (and those they read) that hold no rows yet."""
        for _, _, path in two_part_names(sql):
            table = self.tables.get(path)
            if table is not None and table.rows is None:
                try:
                    _, rows = self.run(table.view_sql)
                except ServerError as error:
                    raise ValueError(f"evaluating the view {'.'.join(path)}: {error}") from None
                self.tables[path] = table._replace(rows=rows)

    def load(self, schema, table, columns, rows):
        kinds = [kind for _, kind in columns]
        typed = [(name, types.TypeProto(type_kind=LOAD_TYPES[kind])) for name, kind in columns]
        contents = [[to_value(kind, text) for kind, text in zip(kinds, row, strict=True)] for row in rows]
        self.schemas.add(schema)
        self.tables[schema, table] = Table(typed, contents, view_sql=None)
        for path, view in self.tables.items():
            if view.view_sql is not None:
                self.tables[path] = view._replace(rows=None)

    def query(self, sql):
        columns, rows = self.run(sql)
        return [[to_json(type_, value) for (_, type_), value in zip(columns, row)] for row in rows]

    def execute(self, sql):
        head = Head(sql)
        if head.accept("CREATE"):
            if head.accept("SCHEMA"):
                return self.create_schema(head)
            replace = head.accept("OR", "REPLACE")
            head.expect("VIEW")
            return self.create_view(head, replace)
        if head.accept("DROP"):
            head.expect("VIEW")
            return self.drop_view(head)
        raise ValueError(f"unsupported statement: {sql.strip()[:40]!r}")

    def create_schema(self, head):
        if_not_exists = head.accept("IF", "NOT", "EXISTS")
        path = head.path()
        head.finish()
        if len(path) != 1:
            raise ValueError(f"a dataset name has one part: {'.'.join(path)}")
        if path[0] in self.schemas and not if_not_exists:
            raise ValueError(f"Already Exists: Dataset {path[0]}")
        self.schemas.add(path[0])

    def view_path(self, head):
        path = head.path()
        if len(path) != 2:
            raise ValueError(f"a view name is dataset.view: {'.'.join(path)}")
        if path[0] not in self.schemas:
            raise ValueError(f"Not found: Dataset {path[0]}")
        return path

    def create_view(self, head, replace):
        if_not_exists = head.accept("IF", "NOT", "EXISTS")
        path = self.view_path(head)
        head.expect("AS")
        if path in self.tables and not replace:
            if if_not_exists:
                return
            raise ValueError(f"Already Exists: {'.'.join(path)}")
        query = head.sql[head.consumed:]
        columns = self.analyze(query)
        names = [name.lower() for name, _ in columns]
        if any(not name or name.startswith("$") for name in names) or len(set(names)) < len(names):
            raise ValueError(f"the columns of view {'.'.join(path)} need distinct names: {names}")
        self.tables[path] = Table(columns, rows=None, view_sql=query)

    def drop_view(self, head):
        if_exists = head.accept("IF", "EXISTS")
        path = self.view_path(head)
        head.finish()
        if path in self.tables and self.tables[path].view_sql is not None:
            del self.tables[path]
        elif not if_exists:
            raise ValueError(f"Not found: View {'.'.join(path)}")


def two_part_names(sql):
    """(start, end, (first, second)) of every name `a.b` in `sql` whose parts are plain or backquoted
    words (more than the tables it reads: enough to find them)."""
    tokens = [m for m in TOKEN.finditer(sql) if any(m.groups())]
    for before, first, dot, second in zip([None] + tokens, tokens, tokens[1:], tokens[2:]):
        parts = [part(first), part(second)]
        if dot.group(3) == "." and None not in parts and not (before and before.group(3) == "."):
            yield first.start(), second.end(), tuple(parts)


def part(token):
    """The name a word or backquoted name token holds, if it is one part."""
    quoted, word, _ = token.groups()
    name = word if word else quoted and re.sub(r"\\(.)", r"\1", quoted)
    return name if name and "." not in name else None


def add_table(request, name, columns, rows):
    table = request.simple_catalog.table.add(name=name)
    for column, type_ in columns:
        table.column.add(name=column, type=type_)
    content = request.table_content[name].table_data
    content.SetInParent()
    for row in rows:
        content.row.add().cell.extend(row)


def main():
    out = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # the engine's own output goes to stderr

    def reply(message):
        out.write(json.dumps(message) + "\n")
        out.flush()

    engine = Engine()
    reply({"ready": True})
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            op = request["op"]
            if op == "load":
                engine.load(request["schema"], request["table"], request["columns"], request["rows"])
                reply({"ok": True})
            elif op == "execute":
                engine.execute(request["sql"])
                reply({"ok": True})
            elif op == "query":
                reply({"rows": engine.query(request["sql"])})
            else:
                raise ValueError(f"unsupported op {op!r}")
        except Exception as error:  # noqa: BLE001 - every failure is a reply
            reply({"error": str(error) if isinstance(error, (ServerError, ValueError)) else repr(error)})


if __name__ == "__main__":
    main()
