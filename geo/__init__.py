"""Places: the gazetteer build, alias index, resolution and polygons (docs/gazetteer.md)."""
from geo.gazetteer import Gazetteer, load_gazetteer, mention
from geo.layer import kind_for_trigger, layer_from_rows
from geo.model import Candidate, MentionQuery, Place, Resolution
from geo.names import keys_for_token

__all__ = ["Gazetteer", "load_gazetteer", "mention", "keys_for_token", "layer_from_rows", "kind_for_trigger",
           "Candidate", "MentionQuery", "Place", "Resolution"]
