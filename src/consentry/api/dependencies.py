"""FastAPI dependencies shared by the routes, as `Annotated` aliases."""

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine

from consentry.config import Config


def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


EngineDep = Annotated[Engine, Depends(_engine)]


def _config(request: Request) -> Config:
    config: Config = request.app.state.config
    return config


ConfigDep = Annotated[Config, Depends(_config)]
