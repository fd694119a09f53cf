"""Narrow queries the export table does not hold, on the catalogue's building blocks
(active trajectory, trajectory through a maatschappelijk initiatief)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from . import privacy, settings
from .catalogue import ACTIVE, MI_BASIS
from .metrics import trajectories_sql
from .vocab import CITY


def top_initiatives(con, gebied: str, peildatum: dt.date, limit: int = 5) -> pd.DataFrame:
    """The maatschappelijke initiatieven used most in an area (or the city) in a quarter.

    Counted like the numerator of share_mi: per initiative, the distinct users of the
    area with an active basis trajectory in the area through that initiative. Columns:
    initiatief, gebruikers; most used first, ties by name.
    """
    area = "" if gebied == CITY else "AND gebied = $gebied"
    params = {"peildatum": peildatum, "limit": limit} | ({} if gebied == CITY else {"gebied": gebied})
    return con.execute(
        f"""
        SELECT maatschappelijk_initiatief AS initiatief, count(DISTINCT client_id) AS gebruikers
        FROM current_trajectories
        WHERE peildatum = $peildatum AND {ACTIVE} AND {MI_BASIS} {area}
        GROUP BY initiatief
        ORDER BY gebruikers DESC, initiatief
        LIMIT $limit
        """,
        params,
    ).df()


# How an uitvoerder is shown: as delivered (without surrounding spaces), the aanbieder's name
# where it is empty; compared as the catalogue's UITVOERDER.
_UITVOERDER_SHOWN = "coalesce(nullif(trim(uitvoerder), ''), trim(aanbieder))"


def uitvoerders(con, gebied: str, peildatum: dt.date) -> pd.DataFrame:
    """The uitvoerders of the active trajectories in an area (or the city) in a quarter.

    Per uitvoerder (normalised as metrics.md says), the distinct users of the area with an
    active trajectory in the area by that uitvoerder; its name is the spelling delivered
    most often among those trajectories (ties: the first in alphabetical order). Columns:
    uitvoerder, gebruikers; most users first, ties by name.
    """
    area = "" if gebied == CITY else "AND gebied = $gebied"
    params = {"peildatum": peildatum} | ({} if gebied == CITY else {"gebied": gebied})
    return con.execute(
        f"""
        WITH active AS (
            SELECT client_id, {_UITVOERDER_SHOWN} AS shown, uitvoerder_key AS key
            FROM {trajectories_sql(f"peildatum = $peildatum AND {ACTIVE} {area}")}
        ), spelled AS (
            SELECT key, shown, count(*) AS n FROM active GROUP BY key, shown
        ), names AS (  -- the spelling delivered most often; ties: alphabetical
            SELECT key, arg_min(shown, (-n, shown)) AS uitvoerder FROM spelled GROUP BY key
        ), users AS (
            SELECT key, count(DISTINCT client_id) AS gebruikers FROM active GROUP BY key
        )
        SELECT uitvoerder, gebruikers
        FROM names JOIN users USING (key)
        ORDER BY gebruikers DESC, uitvoerder
        """,
        params,
    ).df()


def protect_users(table: pd.DataFrame, threshold: int | None = None) -> pd.DataFrame:
    """The table with its `gebruikers` counts from 1 to T-1 shown as '< T' (privacy's mark), for
    the council. A client can have several uitvoerders, so the counts add up to at least the
    area's users: users minus the shown counts is a lower bound of the hidden ones, nearly exact
    where most clients have one uitvoerder. A single hidden count therefore takes the smallest
    other count with it ('x'), so that the bound holds for two counts together, never for one."""
    t = settings.min_count() if threshold is None else settings.checked_min_count(threshold)
    counts = table["gebruikers"]
    small = (counts > 0) & (counts < t)
    shown = counts.astype(object).where(~small, privacy.primary_mark(t))
    if small.sum() == 1 and (others := counts[~small & (counts > 0)]).size:
        shown[others.idxmin()] = privacy.SECONDARY
    return table.assign(gebruikers=shown)
