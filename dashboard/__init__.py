"""The analyst's map dashboard (issue 5): filters, folium map, charts, tables, downloads.

Entry point: ``app.py`` (``streamlit run app.py``) calls :func:`dashboard.page.main`.
The dashboard reads data only through ``store.queries`` (dashboard.backend) and places'
polygons only through ``geo`` (dashboard.geodata).
"""
