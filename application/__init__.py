"""The application layer: one typed service method per command, between the edges and the domain.

Each command loads aggregates by their natural key, calls the domain, saves everything it
touched once (`Ledger.execute`), and returns the log position after the read models have
caught up (read-your-writes). Web handlers and CLI commands call these services and
nothing below them writes to the log.

- `ledger.Ledger`: the event store application and how commands save
- `records.Records`: departments' submissions
- `cases.Cases`: credit repair and objection cases (one case model)
- `audit.AuditTrail`: privileged reads, recorded before they are served
- `supervision.Supervision`: credit checks and inspection draws, recorded before they are answered
"""
