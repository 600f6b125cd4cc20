"""Benchmarks (`make bench`): the scenarios of PERFORMANCE.md against a real server process or
the real CLI, with the floor — what the database alone does with the same rows — measured in
the same run, on SQLite and on PostgreSQL."""
