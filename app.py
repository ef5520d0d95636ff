"""Aleppo Frontline Map: `streamlit run app.py` (database: $FRONTLINE_DB, else data/frontline.db).

An ``st.App`` whose page script is ``page.py`` (dashboard.PAGE_SCRIPT). Its lifespan runs once,
before the server accepts a connection: it imports the dashboard's modules and reads the
default view (dashboard.page.warm_up), so a fresh server's first visitor does not wait for them.
"""
import threading
import webbrowser
from contextlib import asynccontextmanager

import streamlit as st

from dashboard import PAGE_SCRIPT


def _open_browser() -> None:
    """What `streamlit run` does for a plain script and not for an st.App: open a tab on the
    dashboard unless the server is headless (a server, CI, a machine without a display)."""
    if st.get_option("server.headless"):
        return
    host = st.get_option("browser.serverAddress") or "localhost"
    url = f"http://{host}:{st.get_option('browser.serverPort') or st.get_option('server.port')}"
    threading.Timer(0.5, webbrowser.open, [url]).start()  # once the server has started accepting


@asynccontextmanager
async def warm_up(_app):
    from dashboard.page import warm_up as warm_up_page

    warm_up_page()
    _open_browser()
    yield


app = st.App(PAGE_SCRIPT, lifespan=warm_up)
