-- The tables of the execution-test data, for DuckDB and PostgreSQL alike.
CREATE SCHEMA app;
CREATE SCHEMA billing;
CREATE SCHEMA ops;
CREATE TABLE app.users (id VARCHAR, country VARCHAR, is_test BOOLEAN, channel VARCHAR);
CREATE TABLE app.events (user_id VARCHAR, "at" TIMESTAMP, kind VARCHAR, amount DOUBLE PRECISION, currency VARCHAR, latency_ms DOUBLE PRECISION);
CREATE TABLE app.fx (currency VARCHAR, usd_rate DOUBLE PRECISION);
CREATE TABLE billing.subscriptions (id VARCHAR, started_at TIMESTAMP, cancelled_at TIMESTAMP, mrr DOUBLE PRECISION, plan VARCHAR);
CREATE TABLE ops.incidents (id VARCHAR, opened_at TIMESTAMP, detected_at TIMESTAMP, resolved_at TIMESTAMP, severity VARCHAR);
CREATE TABLE ops.jobs (id VARCHAR, started_at TIMESTAMP, finished_at TIMESTAMP, kind VARCHAR);
