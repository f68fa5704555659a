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

# Load types: the Spark type, and how a CSV text becomes a value of a JSON line that Spark's
# JSON reader reads as that type (a timestamp with an explicit UTC zone, so that it is the
# right instant whatever the session time zone).
TYPES = {
    "string": ("STRING", str),
    "number": ("DOUBLE", float),
    "boolean": ("BOOLEAN", {"true": True, "false": False}.__getitem__),
    "date": ("DATE", str),
    "timestamp": ("TIMESTAMP", lambda text: text + "Z"),
    "datetime": ("TIMESTAMP_NTZ", str),
}

# Spark logs errors only, to stderr; its own logger set at the root's level keeps Spark from
# lowering the level to WARN in a "shell", which pyspark is.
LOG4J = """
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = stderr
appender.stderr.type = Console
appender.stderr.name = stderr
appender.stderr.target = SYSTEM_ERR
appender.stderr.layout.type = PatternLayout
appender.stderr.layout.pattern = %p %c{1}: %m%n
logger.spark.name = org.apache.spark
logger.spark.level = error
"""


def start(scratch):
    log4j = os.path.join(scratch, "log4j2.properties")
    with open(log4j, "w") as f:
        f.write(LOG4J)
    return (
        SparkSession.builder.master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.catalogImplementation", "in-memory")
        .config("spark.sql.warehouse.dir", os.path.join(scratch, "warehouse"))
        .config("spark.local.dir", scratch)
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.extraJavaOptions",
                f"-Dlog4j2.configurationFile=file:{log4j} -XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=240m")
        .getOrCreate()
    )


def quote(name):
    return "`" + name.replace("`", "``") + "`"


def load(spark, scratch, schema, table, columns, rows):
    """Writes the rows as JSON lines for Spark's JSON reader: no Python worker needed."""
    fd, path = tempfile.mkstemp(suffix=".json", dir=scratch)
    with open(fd, "w", encoding="utf-8") as f:
        for row in rows:
            line = {name: None if text is None else TYPES[kind][1](text) for (name, kind), text in zip(columns, row)}
            f.write(json.dumps(line) + "\n")
    ddl = ", ".join(f"{quote(name)} {TYPES[kind][0]}" for name, kind in columns)
    spark.sql(f"CREATE SCHEMA IF NOT EXISTS {quote(schema)}")
    data = spark.read.schema(ddl).option("mode", "FAILFAST").json(path)
    data.write.saveAsTable(f"{quote(schema)}.{quote(table)}", mode="overwrite")
    os.remove(path)


def value(v):
    if isinstance(v, datetime.datetime):
        return v.isoformat(" ")
    if isinstance(v, datetime.date):
        return v.isoformat()
    if isinstance(v, Decimal):
        v = float(v)
    if isinstance(v, float) and not math.isfinite(v):
        return "NaN" if math.isnan(v) else "Infinity" if v > 0 else "-Infinity"
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    return str(v)


def answer(spark, scratch, request):
    op = request["op"]
    if op == "load":
        load(spark, scratch, request["schema"], request["table"], request["columns"], request["rows"])
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
        # The JVM exits when this process does, even killed: have it remove the scratch then.
        jvm = spark.sparkContext._jvm
        jvm.org.apache.spark.util.ShutdownHookManager.registerShutdownDeleteDir(jvm.java.io.File(scratch))
        reply({"ready": True})
        for line in sys.stdin:
            try:
                reply(answer(spark, scratch, json.loads(line)))
            except Exception as e:  # the engine's message, and keep serving
                reply({"error": str(e)})
        spark.stop()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


main()
