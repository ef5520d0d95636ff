"""Actors: factions and forces from data/lexicons/factions.csv, longest match, with a
coordinated list of nationality adjectives kept in one mention
("المليشيات الإيرانية والأفغانية والعراقية واللبنانية")."""
from __future__ import annotations

from extraction.lexicons import load
from extraction.matcher import scan

# verbs of denying, condemning, accusing: the actor after one speaks about the event, it is no party
# to it ("نفت روسيا ..."، "أدانت الولايات المتحدة ...")
BYSTANDER_VERBS = {"نفت", "نفي", "ينفي", "تنفي", "نفى", "ادانت", "ادان", "تدين", "يدين", "نددت", "ندد", "استنكرت",
                   "استنكر", "شجبت", "شجب", "اتهمت", "اتهم", "حملت", "طالبت", "طالب", "دعت", "دعا", "ناشدت", "اعربت",
                   "اعرب", "نفيا", "نفيها", "نفيه", "ادانه", "ادانتها", "حذرت", "حذر"}
# نصرة alone is "support" ("مظاهرات نصرة لأحياء حلب"): the bare word is the Nusra Front only with its
# article and when no ل-phrase ("نصرة لـ") follows
AMBIGUOUS_BARE = {"نصره"}
# a generic name followed by a relative pronoun is a class of people, not a party ("المسلحين الذين
# سيرفضون المغادرة"): only for the generic, outlet-dependent names
GENERIC_IDS = {"armed-opposition-generic"}
RELATIVE_PRONOUNS = {"الذين", "اللذين", "اللواتي", "اللاتي", "ممن"}
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
            if j - i == 1 and doc.keys[i] in AMBIGUOUS_BARE and (
                    not doc.tokens[i][p:].startswith("ال")
                    or j < s.t1 and doc.link[i] and doc.tokens[j].startswith("ل") and not doc.tokens[j].startswith("ال")):
                continue
            if fid in GENERIC_IDS and j < s.t1 and doc.link[j - 1] and doc.tokens[j] in RELATIVE_PRONOUNS:
                continue
            fac = lx.factions[fid]
            a = doc.starts[i] + p
            if p and doc.tokens[i][p - 1:p + 1] == "لل" or doc.tokens[i][:2] == "لل" and p:
                a = doc.starts[i]  # keep للطيران whole: the article is fused with the clitic
            for x in range(i, j):
                doc.covered[x] = "actor"
            air = any(k in AIR_WORDS for k in doc.keys[i:j]) or fid in ("syrian-air-force", "warplanes-unattributed")
            bystander = any(i - b >= s.t0 and doc.keys[i - b] in BYSTANDER_VERBS for b in (1, 2))
            out.append({"i": i, "j": j, "fstart": a, "fend": doc.ends[j - 1], "faction": fac, "air": air,
                        "sent": s.i, "bystander": bystander})
    return out
