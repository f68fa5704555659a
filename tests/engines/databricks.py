"""Engine server for Databricks SQL: Apache Spark (pyspark) in local mode.

Holds one Spark session and answers JSON lines on stdin, one JSON reply per line on stdout:

    {"op": "load", "schema": s, "table": t, "columns": [[name, type], ...], "rows": [[text|null, ...], ...]}
        creates the table `s`.`t`; types: string, number (DOUBLE), boolean, date,
        timestamp (TIMESTAMP, given as its UTC reading), datetime (TIMESTAMP_NTZ)  → {"ok": true}
    {"op": "execute", "sql": statement}                      → {"ok": true}
    {"op": "query", "sql": select}                           → {"rows": [[value, ...], ...]}
    {"op": "set", "time_zone": zone, "ansi": bool}           → {"ok": true}
    any failure                                              → {"error": message}

`{"ready": true}` once the session is up; EOF on stdin ends it. TIMESTAMP values are
rendered as their UTC reading, whatever the session time zone.
"""

import datetime
import json
import logging
import math
import os
import shutil
import signal
import sys
import tempfile
import time
from decimal import Decimal

# Stdout carries the protocol alone: keep a handle on it, and send everything else written to
# fd 1 (the JVM's output included) to stderr.
protocol = os.fdopen(os.dup(1), "w", encoding="utf-8")
os.dup2(2, 1)
sys.stdout = sys.stderr
sys.stdin.reconfigure(encoding="utf-8")

# The process runs in UTC, as a Databricks cluster does: the JVM's default zone, and Python's
# local zone, in which collect() builds TIMESTAMP values (as naive datetimes).
os.environ["TZ"] = "UTC"
time.tzset()
os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
# pyspark logs every failed query's error, which is the reply already.
logging.disable(logging.ERROR)

from pyspark.sql import SparkSession  # noqa: E402
from pyspark.sql import types as T  # noqa: E402

TYPES = {
    "string": T.StringType(),
    "number": T.DoubleType(),
    "boolean": T.BooleanType(),
    "date": T.DateType(),
    "timestamp": T.TimestampType(),
    "datetime": T.TimestampNTZType(),
}

PARSE = {
    "string": str,
    "number": float,
    "boolean": {"true": True, "false": False}.__getitem__,
    "date": datetime.date.fromisoformat,
    "timestamp": lambda text: datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.timezone.utc),
    "datetime": datetime.datetime.fromisoformat,
}


def start(scratch):
    with open(os.path.join(scratch, "log4j2.properties"), "w") as log:
        log.write("rootLogger.level = error\nrootLogger.appenderRef.stderr.ref = stderr\n"
                  "appender.stderr.type = Console\nappender.stderr.name = stderr\n"
                  "appender.stderr.target = SYSTEM_ERR\nappender.stderr.layout.type = PatternLayout\n"
                  "appender.stderr.layout.pattern = %p %c{1}: %m%n\n"
                  # as the root's, so that Spark keeps it in a "shell" (which pyspark is)
                  "logger.spark.name = org.apache.spark\nlogger.spark.level = error\n")
    spark = (
        SparkSession.builder.master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.catalogImplementation", "in-memory")
        .config("spark.sql.warehouse.dir", os.path.join(scratch, "warehouse"))
        .config("spark.local.dir", scratch)
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.extraJavaOptions",
                f"-Dlog4j2.configurationFile=file:{scratch}/log4j2.properties -XX:TieredStopAtLevel=1")
        .getOrCreate()
    )
    return spark


def quote(name):
    return "`" + name.replace("`", "``") + "`"


def load(spark, schema, table, columns, rows):
    struct = T.StructType([T.StructField(name, TYPES[kind]) for name, kind in columns])
    parsers = [PARSE[kind] for _, kind in columns]
    data = [[None if text is None else parse(text) for parse, text in zip(parsers, row)] for row in rows]
    spark.sql(f"CREATE SCHEMA IF NOT EXISTS {quote(schema)}")
    spark.createDataFrame(data, struct).createOrReplaceTempView("load")
    spark.sql(f"DROP TABLE IF EXISTS {quote(schema)}.{quote(table)}")
    spark.sql(f"CREATE TABLE {quote(schema)}.{quote(table)} AS SELECT * FROM load")


def value(v):
    if isinstance(v, datetime.datetime):
        return v.isoformat(" ")
    if isinstance(v, datetime.date):
        return v.isoformat()
    if isinstance(v, Decimal):
        v = float(v)
    if isinstance(v, float) and not math.isfinite(v):
        return str(v)
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    return str(v)


def answer(spark, request):
    op = request["op"]
    if op == "load":
        load(spark, request["schema"], request["table"], request["columns"], request["rows"])
    elif op == "execute":
        sql = request["sql"].rstrip()
        spark.sql(sql[:-1] if sql.endswith(";") else sql)
    elif op == "query":
        return {"rows": [[value(v) for v in row] for row in spark.sql(request["sql"]).collect()]}
    elif op == "set":
        if "time_zone" in request:
            spark.conf.set("spark.sql.session.timeZone", request["time_zone"])
        if "ansi" in request:
            spark.conf.set("spark.sql.ansi.enabled", str(bool(request["ansi"])).lower())
    else:
        raise ValueError(f"unknown op {op!r}")
    return {"ok": True}


def reply(message):
    protocol.write(json.dumps(message) + "\n")
    protocol.flush()


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    scratch = tempfile.mkdtemp(prefix="kpic-spark-")
    try:
        spark = start(scratch)
        reply({"ready": True})
        for line in sys.stdin:
            try:
                reply(answer(spark, json.loads(line)))
            except Exception as e:  # the engine's message, and keep serving
                reply({"error": str(e)})
        spark.stop()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


main()
