"""Actors: factions and forces from data/lexicons/factions.csv, longest match, with a
coordinated list of nationality adjectives kept in one mention
("المليشيات الإيرانية والأفغانية والعراقية واللبنانية")."""
from __future__ import annotations

from extraction.lexicons import load
from extraction.matcher import scan

AIR_WORDS = {"طيران", "طايرات", "مقاتلات", "مروحي", "مروحيه", "مروحيات", "قاذفات", "طايره"}


def find_actors(doc):
    lx = load()
    out = []
    for s in doc.sentences:
        free = lambda k: doc.covered[k] is None
        for i, j, fid, p in scan(doc, lx.actors, s.t0, s.t1, free):
            # coordinated adjectives: والأفغانية والعراقية
            while j < s.t1 and doc.link[j - 1] and doc.tokens[j].startswith("و") and \
                    doc.var[j][-1][1] in lx.actor_extenders:
                j += 1
            fac = lx.factions[fid]
            a = doc.starts[i] + p
            if p and doc.tokens[i][p - 1:p + 1] == "لل" or doc.tokens[i][:2] == "لل" and p:
                a = doc.starts[i]  # keep للطيران whole: the article is fused with the clitic
            for x in range(i, j):
                doc.covered[x] = "actor"
            air = any(k in AIR_WORDS for k in doc.keys[i:j]) or fid in ("syrian-air-force", "warplanes-unattributed")
            out.append({"i": i, "j": j, "fstart": a, "fend": doc.ends[j - 1], "faction": fac, "air": air,
                        "sent": s.i})
    return out
