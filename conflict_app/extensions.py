"""Extension instances, created unbound; ``create_app`` initialises them in order."""

from flask_babel import Babel
from flask_limiter import Limiter as _Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    # Named constraints make migrations reproducible on SQLite (batch mode) and PostgreSQL.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
babel = Babel()
csrf = CSRFProtect()



class Limiter(_Limiter):
    """Flask-Limiter, with limits declared on views only.

    Its hook before every request looks for application-wide, default and blueprint limits
    (a view's own limits are checked by its decorator, when the view is called); with none
    declared, that hook only resolved the same empty list on every request, a good part of
    the cost of the herders' status form. It is skipped unless such limits exist."""

    def _check_request_limit(self, callable_name: str | None = None,
                             in_middleware: bool = True) -> None:
        manager = self.limit_manager
        if (in_middleware and not manager.application_limits and not manager.default_limits
                and not manager._blueprint_limits and not self._meta_limits):
            return
        super()._check_request_limit(callable_name, in_middleware)


# Rate limits: counters in memory by default, in Redis when RATELIMIT_STORAGE_URI says so.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
