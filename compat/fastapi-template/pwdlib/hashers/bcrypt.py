"""`BcryptHasher` as pwdlib has it (hash, verify), on the `bcrypt` package."""
import bcrypt


class BcryptHasher:
    def __init__(self, rounds: int = 12) -> None:
        self.rounds = rounds

    def hash(self, password: str | bytes) -> str:
        secret = password.encode() if isinstance(password, str) else password
        return bcrypt.hashpw(secret, bcrypt.gensalt(self.rounds)).decode()

    def verify(self, password: str | bytes, hash: str | bytes) -> bool:  # noqa: A002 (pwdlib's name)
        secret = password.encode() if isinstance(password, str) else password
        stored = hash.encode() if isinstance(hash, str) else hash
        try:
            return bcrypt.checkpw(secret, stored)
        except ValueError:
            return False
