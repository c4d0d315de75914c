"""The server's own SQLite database, opened read-mostly by the tests' `db` session.

The template's tests query `User` rows directly (`db.exec(select(User)...)`, `db.get`, `db.refresh`)
after changing them through the API. Its server and tests share one PostgreSQL database where every
commit expires the session; here the server writes, so every ORM query re-reads the rows it returns
(`populate_existing`) instead of serving a stale identity map.
"""
import os

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, SQLModel, create_engine

from app.core.config import settings

DATABASE_FILE = os.path.join(settings.DATA_DIR, "app.db")
# The template's demo items live in a database of their own beside ours (see app/items.py).
ITEMS_FILE = os.path.join(settings.DATA_DIR, "template-items.db")

engine = create_engine(f"sqlite:///{DATABASE_FILE}", connect_args={"timeout": 30})


@event.listens_for(engine, "connect")
def _attach_items(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    dbapi_connection.execute(f"ATTACH DATABASE '{ITEMS_FILE}' AS template_items")


@event.listens_for(OrmSession, "do_orm_execute")
def _fresh_rows(state: ORMExecuteState) -> None:
    if state.is_select:
        state.update_execution_options(populate_existing=True)


def init_db(session: Session) -> None:
    """The server created the first superuser at start-up (FIRST_SUPERUSER); only the items table is ours."""
    from app.models import Item

    SQLModel.metadata.create_all(engine, tables=[Item.__table__])  # type: ignore[list-item]
