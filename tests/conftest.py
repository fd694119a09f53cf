"""Shared fixtures: a fresh store per test and tiny hand-written deliveries."""

from __future__ import annotations

import pytest
import streamlit as st

from gonmetrics.store import Store

PROVIDER_HEADER = (
    "aanbieder;peildatum;client_id;gebied;geboortejaar;ondersteuning;product;doelgroep;"
    "startdatum;einddatum;maatschappelijk_initiatief;uitvoerder"
)
WIJ_HEADER = "peildatum;client_id;gebied;geboortejaar;aanmelddatum;doelgroep;toeleiding;hoofdaanbieder;beschikking_duur"


def provider_csv(*rows: str, header: str = PROVIDER_HEADER) -> bytes:
    """A provider extract: header on line 1, the given rows from line 2 on."""
    return ("\n".join((header, *rows)) + "\n").encode("utf-8")


def wij_csv(*rows: str, header: str = WIJ_HEADER) -> bytes:
    return ("\n".join((header, *rows)) + "\n").encode("utf-8")


# A valid provider row for Q1 2027; tests vary one field at a time.
ROW = "Zorg BV;2027-03-31;client-0001;west;1980;basis;begeleiding;psychisch;2026-01-01;;Wiershoeck;"
WIJ_ROW = "2027-03-31;client-0001;west;2001;2027-02-14;psychisch;aanvullend;Zorg BV;bepaald"


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path / "gon.duckdb")


@pytest.fixture(autouse=True)
def fresh_streamlit_caches():
    """Streamlit's caches live as long as the process: no test sees another's figures."""
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()
