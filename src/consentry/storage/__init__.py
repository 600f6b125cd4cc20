"""Storage: tables, migrations, engines and repositories. Never commits; holds no business rule.

Repositories are modules of plain functions over a SQLAlchemy `Connection`; the services own
the transaction the connection is in.
"""
