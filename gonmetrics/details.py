"""Narrow queries the export table does not hold, on the catalogue's building blocks
(active trajectory, trajectory through a maatschappelijk initiatief)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from .catalogue import ACTIVE, MI_BASIS
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
