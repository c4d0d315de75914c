"""The template's demo resource, `/items/`, which a sign-in server has no business serving: kept by
this shim (a table in $DATA_DIR/template-items.db) so the template's item tests still exercise what
matters here, the bearer chain. Every request's user comes from the server under test
(`GET /users/me` with the request's own Authorization header): its 401/403 answers pass through."""
import uuid
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Depends, HTTPException, Request
from sqlmodel import Session, col, func, select

from app.core.config import settings
from app.core.db import engine
from app.models import Item, ItemCreate, ItemPublic, ItemsPublic, ItemUpdate, Message

router = APIRouter(prefix="/items", tags=["items"])


class Caller:
    def __init__(self, user: dict[str, Any]) -> None:
        self.id: str = user["id"]
        self.is_superuser: bool = bool(user["is_superuser"])


async def current_user(request: Request) -> Caller:
    headers = {"Authorization": request.headers["authorization"]} if "authorization" in request.headers else {}
    async with httpx.AsyncClient(base_url=settings.SERVER_URL, timeout=60) as server:
        answer = await server.get(f"{settings.API_V1_STR}/users/me", headers=headers)
    if answer.status_code != 200:
        raise HTTPException(status_code=answer.status_code, detail=answer.json().get("detail"), headers={
            k: v for k, v in answer.headers.items() if k.lower() == "www-authenticate"
        })
    return Caller(answer.json())


def get_session():  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        yield session


CurrentUser = Annotated[Caller, Depends(current_user)]
SessionDep = Annotated[Session, Depends(get_session)]


def _owned(session: Session, id: uuid.UUID, user: Caller) -> Item:
    item = session.get(Item, id)
    if not item:
        raise HTTPException(status_code=404, detail="Item not found")
    if not user.is_superuser and item.owner_id != user.id:
        raise HTTPException(status_code=403, detail="Not enough permissions")
    return item


@router.get("/", response_model=ItemsPublic)
def read_items(session: SessionDep, user: CurrentUser, skip: int = 0, limit: int = 100) -> Any:
    query = select(Item)
    if not user.is_superuser:
        query = query.where(Item.owner_id == user.id)
    count = session.exec(select(func.count()).select_from(query.subquery())).one()
    items = session.exec(query.order_by(col(Item.id)).offset(skip).limit(limit)).all()
    return ItemsPublic(data=[ItemPublic.model_validate(i) for i in items], count=count)


@router.get("/{id}", response_model=ItemPublic)
def read_item(session: SessionDep, user: CurrentUser, id: uuid.UUID) -> Any:
    return _owned(session, id, user)


@router.post("/", response_model=ItemPublic)
def create_item(session: SessionDep, user: CurrentUser, item_in: ItemCreate) -> Any:
    item = Item.model_validate(item_in, update={"owner_id": user.id})
    session.add(item)
    session.commit()
    session.refresh(item)
    return item


@router.put("/{id}", response_model=ItemPublic)
def update_item(session: SessionDep, user: CurrentUser, id: uuid.UUID, item_in: ItemUpdate) -> Any:
    item = _owned(session, id, user)
    item.sqlmodel_update(item_in.model_dump(exclude_unset=True))
    session.add(item)
    session.commit()
    session.refresh(item)
    return item


@router.delete("/{id}")
def delete_item(session: SessionDep, user: CurrentUser, id: uuid.UUID) -> Message:
    session.delete(_owned(session, id, user))
    session.commit()
    return Message(message="Item deleted successfully")

