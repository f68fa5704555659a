#!/usr/bin/env python3
"""Writes the execution tests' sample data (CSV, header row, empty field = NULL).

Deterministic: a fixed linear congruential generator, plus hand-placed rows
for the hazards listed in README.md. Run from this folder: python3 generate.py
"""
import csv

state = 20260101


def rand(n):
    """A pseudo-random integer in [0, n)."""
    global state
    state = (state * 1103515245 + 12345) % 2**31
    return state % n


def ts(day, seconds):
    """2026-01-01 plus `day` days and `seconds` seconds, as text."""
    import datetime
    t = datetime.datetime(2026, 1, 1) + datetime.timedelta(days=day, seconds=seconds)
    return t.strftime("%Y-%m-%d %H:%M:%S")


def write(name, header, rows):
    with open(f"{name}.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for row in rows:
            w.writerow(["" if v is None else v for v in row])


countries = ["US", "DE", "FR", None]
users = []
for i in range(40):
    users.append([f"u{i:02d}", countries[rand(4)], "true" if i % 13 == 5 else "false", ["google", "email", "github"][rand(3)]])
write("app.users", ["id", "country", "is_test", "channel"], users)

# Events over ~100 days with gaps (days 30-36 have none), midnight boundaries,
# NULL amounts/latencies/times, and events by users missing from `users`.
events = []
kinds = ["view", "signup", "purchase", "error"]
for i in range(400):
    day = rand(100)
    if 30 <= day <= 36:
        continue
    user = f"u{rand(45):02d}"  # u40..u44 have no user row
    kind = kinds[rand(4)]
    amount = None if kind != "purchase" else (None if rand(9) == 0 else rand(200) + 0.5)
    currency = ["USD", "EUR", "GBP", None][rand(4)] if kind == "purchase" else None
    latency = None if rand(11) == 0 else rand(900) + 10
    at = None if rand(97) == 0 else ts(day, rand(86400))
    events.append([user, at, kind, amount, currency, latency])
# Hazards on period boundaries: Sunday 23:59:59 vs Monday 00:00:00 (2026-01-04/05),
# month and quarter ends, a year end.
events += [
    ["u01", "2026-01-04 23:59:59", "signup", None, None, 100],
    ["u02", "2026-01-05 00:00:00", "signup", None, None, 200],
    ["u03", "2026-01-31 23:59:59", "purchase", 10.0, "USD", 300],
    ["u03", "2026-02-01 00:00:00", "purchase", 20.0, "EUR", 400],
    ["u04", "2026-03-31 23:59:59", "error", None, None, 500],
    ["u04", "2026-04-01 00:00:00", "error", None, None, 600],
    ["u05", "2025-12-31 23:59:59", "view", None, None, 700],
]
write("app.events", ["user_id", "at", "kind", "amount", "currency", "latency_ms"], events)

# GBP has no rate: a lookup miss.
write("app.fx", ["currency", "usd_rate"], [["USD", 1.0], ["EUR", 1.1]])

# Subscriptions: open (NULL end) and closed intervals, starts/ends exactly at
# month boundaries, NULL plan.
subs = []
for i in range(30):
    start_day = rand(120) - 20
    end = None if rand(3) == 0 else ts(start_day + 10 + rand(90), rand(86400))
    subs.append([f"s{i:02d}", ts(start_day, rand(86400)), end, 10 * (1 + rand(9)), ["basic", "pro", None][rand(3)]])
subs += [
    ["s90", "2026-01-01 00:00:00", "2026-02-01 00:00:00", 50, "pro"],
    ["s91", "2026-02-01 00:00:00", None, 70, "basic"],
]
write("billing.subscriptions", ["id", "started_at", "cancelled_at", "mrr", "plan"], subs)

incidents = []
for i in range(25):
    day, second = rand(100), rand(86400)
    detected = ts(day, second + 60 * rand(120))
    resolved = None if rand(8) == 0 else ts(day, second + 60 * rand(2000))
    incidents.append([f"i{i:02d}", ts(day, second), detected, resolved, ["sev1", "sev2", "sev3"][rand(3)]])
incidents.append(["i90", "2026-03-01 00:00:00", "2026-03-01 00:05:00", None, "sev1"])
write("ops.incidents", ["id", "opened_at", "detected_at", "resolved_at", "severity"], incidents)

# Jobs over 15 months from 2024-01-01 (two DST changes in New York each year),
# for durations measured across DST, year-over-year and fixed calendars.
# Builds run only from day 60 to day 399, so a KPI filtered to builds has
# zero periods at both ends of the data.
def ts24(day, seconds):
    """2024-01-01 plus `day` days and `seconds` seconds, as text."""
    import datetime
    t = datetime.datetime(2024, 1, 1) + datetime.timedelta(days=day, seconds=seconds)
    return t.strftime("%Y-%m-%d %H:%M:%S")


jobs = []
for i in range(300):
    day, second = rand(450), rand(86400)
    kind = ["build", "deploy", "test"][rand(3)]
    if kind == "build" and not 60 <= day < 400:
        kind = "test"
    finished = None if rand(10) == 0 else ts24(day, second + 60 * rand(240) + rand(60))
    jobs.append([f"j{i:03d}", ts24(day, second), finished, kind])
# New York: 2024-03-10 07:00Z, clocks go from 02:00 EST to 03:00 EDT;
# 2024-11-03 06:00Z, from 02:00 EDT back to 01:00 EST. Each job lasts one
# hour of real time; a local clock shows two hours, then none. Plus rows on
# either side of New York midnight (05:00Z in winter, 04:00Z in summer).
jobs += [
    ["j900", "2024-03-10 06:30:00", "2024-03-10 07:30:00", "deploy"],
    ["j901", "2024-11-03 05:30:00", "2024-11-03 06:30:00", "deploy"],
    ["j902", "2024-03-10 04:59:59", "2024-03-10 05:00:00.5", "test"],
    ["j903", "2024-07-01 04:00:00", "2024-07-01 05:31:00", "test"],
]
write("ops.jobs", ["id", "started_at", "finished_at", "kind"], jobs)
