"""The FastAPI application: middleware, error answers, static files and every domain's routes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from boardline.core.db import Database
from boardline.core.errors import BoardlineError, HttpError, InvalidInput
from boardline.core.settings import Settings, get_settings
from boardline.web.deps import LoginRequired

STATIC_DIR = Path(__file__).resolve().parent / "static"
PROBLEM_JSON = "application/problem+json"
SWAGGER = "swagger-ui-5.35.0"


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "text/html" not in request.headers.get(
        "accept", ""
    )


def _problem(request: Request, error: BoardlineError) -> Response:
    if _wants_json(request):
        return JSONResponse(
            error.problem(instance=request.url.path),
            status_code=error.status,
            media_type=PROBLEM_JSON,
        )
    if isinstance(error, LoginRequired):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
    from boardline.web.templating import render

    actor = getattr(request.state, "actor", None)
    return render(request, "error.html", actor, status_code=error.status, error=error)


def _validation_detail(errors: list[Any]) -> tuple[str, list[dict[str, Any]]]:
    fields = []
    for e in errors:
        loc = [str(p) for p in e.get("loc", ()) if p != "body"]
        if e.get("type") == "json_invalid":
            reason = e.get("ctx", {}).get("error", e["msg"])
            where = f" at character {loc[0]}" if loc else ""
            fields.append({"field": "body", "reason": f"malformed JSON{where}: {reason}"})
        else:
            fields.append({"field": ".".join(loc), "reason": e["msg"]})
    first = fields[0] if fields else {"field": "", "reason": "invalid request"}
    where = f"{first['field']}: " if first["field"] and first["field"] != "body" else ""
    return f"{where}{first['reason']}", fields


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(BoardlineError)
    async def _boardline_error(request: Request, exc: BoardlineError) -> Response:
        return _problem(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(request: Request, exc: RequestValidationError) -> Response:
        detail, fields = _validation_detail(list(exc.errors()))
        return _problem(request, InvalidInput(detail, errors=fields))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return _problem(request, HttpError(exc.status_code, str(exc.detail)))


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Background duties of a running server: the periodic material check."""
    from boardline.supply.watch import material_watch

    settings: Settings = app.state.settings
    task = None
    if settings.material_check_s > 0:
        task = asyncio.create_task(material_watch(app.state.db, settings))
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task


def create_app(settings: Settings | None = None, db: Database | None = None) -> FastAPI:
    """A Boardline web app for ``settings`` (default: the environment) and its database."""
    settings = settings or get_settings()
    db = db or Database(settings.database_url)
    app = FastAPI(
        lifespan=_lifespan,
        title="Boardline",
        summary="ERP and MES for electronics manufacturing services",
        docs_url=None,  # served below from vendored files: factory networks often lack internet
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    app.state.db = db
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie="boardline_session",
        max_age=settings.session_max_age_s,
        same_site="lax",
        https_only=settings.is_production,
    )
    install_error_handlers(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    from boardline.catalog import api as catalog_api
    from boardline.catalog import pages as catalog_pages
    from boardline.core import api as core_api
    from boardline.core import pages as core_pages
    from boardline.npi import api as npi_api
    from boardline.npi import pages as npi_pages
    from boardline.production import api as production_api
    from boardline.production import (
        factory_api,
        factory_pages,
        feeder_pages,
        line_pages,
        routing_pages,
        station_pages,
        unit_pages,
    )
    from boardline.production import pages as production_pages
    from boardline.supply import pages as supply_pages
    from boardline.supply import (
        planning_api,
        planning_pages,
        purchasing_api,
        purchasing_pages,
        sales_api,
        sales_pages,
        stock_api,
        stock_pages,
    )
    from boardline.web import pages as web_pages

    @app.get("/api/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/api/openapi.json",
            title="Boardline API",
            swagger_js_url=f"/static/vendor/{SWAGGER}-bundle.js",
            swagger_css_url=f"/static/vendor/{SWAGGER}.css",
            swagger_favicon_url="/static/favicon.svg",
        )

    app.include_router(web_pages.router)
    app.include_router(core_pages.router)
    app.include_router(core_api.router)
    app.include_router(npi_pages.router)
    app.include_router(catalog_pages.router)
    app.include_router(catalog_api.router)
    app.include_router(supply_pages.router)
    app.include_router(npi_api.router)
    for module in (
        purchasing_pages,
        purchasing_api,
        stock_pages,
        stock_api,
        sales_pages,
        sales_api,
        planning_pages,
        planning_api,
        production_pages,
        production_api,
        factory_pages,
        factory_api,
        routing_pages,
        station_pages,
        feeder_pages,
        unit_pages,
        line_pages,
    ):
        app.include_router(module.router)
    app.include_router(routing_pages.api_router)
    app.include_router(feeder_pages.api_router)
    app.include_router(unit_pages.api_router)
    app.include_router(line_pages.api_router)
    return app
