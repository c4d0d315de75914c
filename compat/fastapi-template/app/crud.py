"""The template's `crud` functions, done through the server's API (as the superuser), then read back
from its database into the caller's session, so the returned `User` is the row the server wrote."""
import uuid

from sqlmodel import Session, select

from app.models import Item, ItemCreate, User, UserCreate, UserUpdate
from app.server import server


def get_user_by_email(*, session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == email.lower())).first()


def _row(session: Session, user_id: str) -> User:
    user = session.exec(select(User).where(User.id == user_id)).first()
    assert user, f"the server answered with user {user_id}, which its database does not hold"
    return user


def create_user(*, session: Session, user_create: UserCreate) -> User:
    body = user_create.model_dump(include={"email", "password", "full_name", "is_active", "is_superuser"})
    r = server.request("POST", "/users/", json=body)
    if r.status_code >= 300:
        raise RuntimeError(f"POST /users/ answered {r.status_code}: {r.text}")
    return _row(session, r.json()["id"])


def update_user(*, session: Session, db_user: User, user_in: UserUpdate) -> User:
    body = user_in.model_dump(exclude_unset=True)
    r = server.request("PATCH", f"/users/{db_user.id}", json=body)
    if r.status_code >= 300:
        raise RuntimeError(f"PATCH /users/{db_user.id} answered {r.status_code}: {r.text}")
    user = _row(session, db_user.id)
    session.refresh(user)
    return user


def authenticate(*, session: Session, email: str, password: str) -> User | None:
    r = server.anonymous("POST", "/login/access-token", data={"username": email, "password": password})
    if r.status_code != 200:
        return None
    return get_user_by_email(session=session, email=email)


def create_item(*, session: Session, item_in: ItemCreate, owner_id: str | uuid.UUID) -> Item:
    db_item = Item.model_validate(item_in, update={"owner_id": str(owner_id)})
    session.add(db_item)
    session.commit()
    session.refresh(db_item)
    return db_item
