"""Aleppo Frontline Map: `streamlit run app.py` (database: $FRONTLINE_DB, else data/frontline.db)."""
from dashboard.page import main

main()
