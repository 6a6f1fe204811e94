"""What both vendor simulators share: a small document store (SQLite file or memory), fault
injection by rate and seed, and a helper that serves an app on a real local port."""
