"""The analyst's map dashboard (issue 5): filters, folium map, charts, tables, downloads.

Entry point: ``streamlit run app.py``; app.py is an ``st.App`` serving the page script
``page.py`` (:data:`PAGE_SCRIPT`), which calls :func:`dashboard.page.main`.
The dashboard reads data only through ``store.queries`` (dashboard.backend) and places'
polygons only through ``geo`` (dashboard.geodata).
"""

from pathlib import Path

# The page script Streamlit runs for every session (app.py's st.App, the AppTest tests). It sits
# in the project's root: Streamlit serves static/ (server.enableStaticServing) from its directory.
PAGE_SCRIPT = str(Path(__file__).resolve().parent.parent / "page.py")
