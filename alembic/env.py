"""Alembic environment: the app's settings choose the database; migrations are the schema's only author."""

from sqlalchemy import Connection
from sqlmodel import SQLModel

import app.models  # noqa: F401  (registers every table)
from alembic import context
from app.db import engine_create
from app.settings import get_settings

target_metadata = SQLModel.metadata


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connectable = context.config.attributes.get("connection")
if connectable is not None:
    run(connectable)
else:
    url = context.config.get_main_option("sqlalchemy.url") or get_settings().database_url
    engine = engine_create(url)
    with engine.connect() as conn:
        run(conn)
    engine.dispose()
