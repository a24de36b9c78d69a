"""Alembic environment: the engine comes from `webapp.store.db.alembic_config`, or DATABASE_URL."""

import os

from alembic import context
from sqlalchemy import create_engine

from webapp.store.models import Base

target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = context.config.attributes.get("engine")
    if engine is None:  # plain `alembic` command line
        engine = create_engine(os.environ["DATABASE_URL"])
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
