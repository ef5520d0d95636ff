"""Places: the gazetteer build, alias index, resolution and polygons (docs/gazetteer.md)."""
from geo.gazetteer import Gazetteer, load_gazetteer, mention
from geo.model import Candidate, MentionQuery, Place, Resolution
from geo.names import keys_for_token

__all__ = ["Gazetteer", "load_gazetteer", "mention", "keys_for_token",
           "Candidate", "MentionQuery", "Place", "Resolution"]
