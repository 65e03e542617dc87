"""The one home of the Flask extensions, created unbound and attached in create_app."""
from datetime import timezone

import msgpack
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from flask_talisman import Talisman
from flask_wtf import CSRFProtect
from socketio.msgpack_packet import MsgPackPacket
from sqlalchemy import DateTime, MetaData
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator


class Base(DeclarativeBase):
    """Declarative base whose MetaData names every constraint, so migrations stay stable."""

    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class UTCDateTime(TypeDecorator):
    """A timestamp stored as naive UTC and always returned timezone-aware, on SQLite and PostgreSQL alike."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        """Store aware datetimes as naive UTC; refuse naive ones, which would be ambiguous."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC was expected")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        """Return the stored naive UTC value as an aware datetime."""
        return None if value is None else value.replace(tzinfo=timezone.utc)


def _ext_to_bytes(code: int, data: bytes):
    """The browser's msgpack parser sends a Uint8Array as ext type 0: read it back as bytes."""
    return data if code == 0 else msgpack.ExtType(code, data)


BinaryMsgPackPacket = MsgPackPacket.configure(ext_hook=_ext_to_bytes)

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)
socketio = SocketIO()
talisman = Talisman()
