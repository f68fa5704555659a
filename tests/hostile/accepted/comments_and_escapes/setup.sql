CREATE SCHEMA app;
CREATE TABLE app.events ("at" TIMESTAMP, label VARCHAR, x DOUBLE PRECISION);
INSERT INTO app.events VALUES
  ('2026-01-01 10:00:00', 'a\', 1),
  ('2026-01-01 11:00:00', '\''', 2),
  ('2026-01-02 10:00:00', '''; DROP TABLE victim; --', -1),
  ('2026-01-02 12:00:00', 'b\\', 4),
  ('2026-01-02 13:00:00', 'plain', 8);
