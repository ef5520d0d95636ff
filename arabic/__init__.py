"""Arabic script utilities shared by the gazetteer (geo) and the extractor.

Everything here stands on camel-tools' data-free modules (character sets,
normalization, dediacritization) and never touches ``camel_tools.data``.
"""
from arabic.normalize import fold, fold_with_map, name_key, strip_article, PROCLITICS

__all__ = ["fold", "fold_with_map", "name_key", "strip_article", "PROCLITICS"]
