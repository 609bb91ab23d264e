"""mentor_match: mentorship and shadowing programmes for certified pharmacy technicians."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, Map

from mentor_match import auth, cli, errors, models  # noqa: F401  (models register)
from mentor_match import config as config_module
from mentor_match.api import bp as api_bp
from mentor_match.bodies import BoundedRequest
from mentor_match.database import configure_engine
from mentor_match.extensions import bootstrap, csrf, db, login_manager, migrate
from mentor_match.jobs import queue as job_queue
from mentor_match.jobs import tasks as job_tasks
from mentor_match.models import accounts as account_models
from mentor_match.transaction import TransactionalFlask
from mentor_match.web import register_blueprints

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent


def shipped(name: str) -> Path:
    """Where the templates, static files or migrations are: inside the installed package (the
    wheel carries them there), else at the repository's top level (an editable install)."""
    inside = PACKAGE / name
    return inside if inside.is_dir() else ROOT / name


class IdConverter(IntegerConverter):
    """`<int:…>` in routes: a non-negative integer that fits the database's 32-bit ids."""

    # Bounded in the pattern too, not only in to_python: werkzeug answers a value that fails
    # to_python with 405 when another method's rule shares the path (DELETE vs POST …/pins).
    regex = (
        r"(?:\d{1,9}|1\d{9}|20\d{8}|21[0-3]\d{7}|214[0-6]\d{6}|2147[0-3]\d{5}|21474[0-7]\d{4}"
        r"|214748[0-2]\d{3}|2147483[0-5]\d{2}|21474836[0-3]\d|214748364[0-7])"
    )

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:  # noqa: A002
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints, commands, error handlers."""
    app = TransactionalFlask(
        __name__,
        instance_relative_config=True,
        template_folder=str(shipped("templates")),
        static_folder=str(shipped("static")),
    )
    # No body over MAX_CONTENT_LENGTH is read, chunked ones included (see bodies.py).
    app.request_class = BoundedRequest
    app.config.from_mapping(config_module.defaults(app.instance_path))
    app.config.from_mapping(config_module.from_environment())
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    else:
        app.config.from_mapping(test_config)

    account_models.PASSWORD_HASH_METHOD[0] = app.config["PASSWORD_HASH_METHOD"]

    if not app.config.get("SECRET_KEY"):
        if not (app.debug or app.testing):
            raise RuntimeError(
                "MENTOR_MATCH_SECRET_KEY is not set. Set it to a long random value "
                '(python -c "import secrets; print(secrets.token_hex(32))") '
                "or put SECRET_KEY in instance/config.py."
            )
        app.config["SECRET_KEY"] = os.urandom(32).hex()

    if config_module.https_deployment(app.config):
        # Cookies only ever travel over https once the site is served that way.
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
    if app.config["PROXY_HOPS"]:
        # Behind a load balancer: trust its X-Forwarded-For/-Proto/-Host, and only its.
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    # Ids in URLs beyond what the database can hold are simply not found (not a database error).
    app.url_map.converters["int"] = IdConverter

    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite:///") and ":memory:" not in uri:
        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    queue_name = app.config.get("QUEUE_NAME") or "mentor_match"
    job_queue.configure(app.config.get("QUEUE_URL"), app.instance_path, queue_name)
    job_tasks.bind(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(shipped("migrations")), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    bootstrap.init_app(app)
    with app.app_context():
        configure_engine(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])

    auth.init_app(app)
    register_blueprints(app)
    app.register_blueprint(api_bp)
    csrf.exempt(api_bp)  # the API authenticates with bearer tokens, never with cookies
    cli.init_app(app)
    errors.init_app(app)
    return app
