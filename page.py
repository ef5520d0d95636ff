"""The dashboard's page script: what Streamlit runs for every session (and what AppTest runs).

`streamlit run app.py` serves it (app.py: an ``st.App``; docs/dashboard.md, "How it is built").
Kept beside app.py on purpose: Streamlit serves ``static/`` from the page script's directory.
"""
from dashboard.page import main

main()
