"""Aleppo Frontline Map: `streamlit run app.py` (database: $FRONTLINE_DB, else data/frontline.db).

An ``st.App`` whose page script is ``page.py`` (dashboard.PAGE_SCRIPT). Its lifespan runs once,
before the server accepts a connection: it imports the dashboard's modules and reads the
default view (dashboard.page.warm_up), so a fresh server's first visitor does not wait for them.
"""
from contextlib import asynccontextmanager

import streamlit as st

from dashboard import PAGE_SCRIPT


@asynccontextmanager
async def warm_up(_app):
    from dashboard.page import warm_up as warm_up_page

    warm_up_page()
    yield


app = st.App(PAGE_SCRIPT, lifespan=warm_up)
