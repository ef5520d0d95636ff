"""Aleppo Frontline Map: `streamlit run app.py` (database: $FRONTLINE_DB, else data/frontline.db).

An ``st.App`` whose page script is ``page.py`` (dashboard.PAGE_SCRIPT).
"""
import streamlit as st

from dashboard import PAGE_SCRIPT

app = st.App(PAGE_SCRIPT)
