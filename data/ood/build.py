"""Builds the out-of-domain test sets of data/ood from their sources (run from the repository root):

    python3 data/ood/build.py

- handwritten/test.json from handwritten.txt (sentences written by hand, gold triples in WebNLG's
  relation schema);
- handwritten-dev/dev.json from handwritten-dev.txt, written the same way (session 15) with names
  that are neither WebNLG entities nor mentions of handwritten.txt nor names of names.txt: the
  hand-written dev split that model selection may read;
- name-swapped/test.json from data/webnlg/test.json: every gold entity mention that is a name is
  replaced by a name of the same kind that occurs nowhere in WebNLG (names.txt), consistently
  within a sentence (see `swap_names`);
- name-swapped-dev/dev.json, the same from data/webnlg/dev.json with the names of names-dev.txt
  (none shared with names.txt): an out-of-domain dev split for model selection, so that the test
  sets above stay out of every choice.

Both are JointER files (tokens, spo_list, spo_details) without POS tags, so `rin eval` tags them as
it tags user text; each folder gets WebNLG's rel2id.json. The script checks that every name it
writes is absent from WebNLG's entities and training text, and exits 1 if not. Each folder also has
a `-star` copy in WebNLG*'s relation set for partial-match models.
"""
import collections
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
WEBNLG = ROOT / "data" / "webnlg"


def webnlg_names():
    entities, words = set(), []
    for split in ("train", "dev", "test"):
        for record in json.loads((WEBNLG / f"{split}.json").read_text()):
            for s, _, o in record["spo_list"]:
                entities.update((s, o))
            if split == "train":
                words.append(" ".join(record["tokens"]).lower())
    return entities, " " + " | ".join(words) + " "


def locate(tokens, mention, taken=()):
    """The first token span [start, end) whose tokens joined by spaces are `mention`."""
    target = mention.split(" ")
    for start in range(len(tokens) - len(target) + 1):
        if tokens[start:start + len(target)] == target and (start, start + len(target)) not in taken:
            return start, start + len(target)
    for start in range(len(tokens) - len(target) + 1):
        if tokens[start:start + len(target)] == target:
            return start, start + len(target)
    raise ValueError(f"{mention!r} is not in {' '.join(tokens)!r}")


def record(tokens, triples):
    details = []
    for s, r, o in triples:
        s0, s1 = locate(tokens, s)
        o0, o1 = locate(tokens, o)
        details.append([s0, s1, "None-label", r, o0, o1, "None-label"])
    return {"tokens": tokens, "spo_list": [list(t) for t in triples], "spo_details": details}


def handwritten(relations, file="handwritten.txt"):
    records, block = [], []
    lines = [l.rstrip("\n") for l in (HERE / file).read_text().splitlines()]
    lines = [l for l in lines if not l.startswith("#")] + [""]
    for line in lines:
        if line.strip():
            block.append(line)
            continue
        if not block:
            continue
        tokens = block[0].split(" ")
        triples = [tuple(part.strip() for part in t.split("|")) for t in block[1:]]
        for _, r, _ in triples:
            if r not in relations:
                raise ValueError(f"{r!r} is not a WebNLG relation ({block[0]})")
        records.append(record(tokens, triples))
        block = []
    return records


# The kinds of name, by the relation slots they fill in WebNLG; anything else keeps its mention.
PLACE_OBJECT = {"birthPlace", "deathPlace", "location", "city", "country", "region", "state",
                "capital", "isPartOf", "largestCity", "cityServed", "headquarter", "locationCity",
                "ground", "hometown", "residence", "nearestCity", "foundationPlace", "spokenIn",
                "placeOfBirth", "placeOfDeath", "countySeat", "municipality", "district"}
PERSON_OBJECT = {"leaderName", "author", "creator", "manager", "architect", "founder", "foundedBy",
                 "keyPerson", "director", "editor", "chairman", "president", "mayor", "leader",
                 "commander", "backup pilot", "child", "doctoralAdvisor", "starring", "dean",
                 "rector", "chancellor", "owner", "developer", "designer", "crewMembers"}
PERSON_SUBJECT = {"birthPlace", "deathPlace", "almaMater", "nationality", "was selected by NASA",
                  "was a crew member of", "club", "occupation", "residence", "placeOfBirth",
                  "placeOfDeath", "birthName", "hometown", "spouse"}


# Finer kinds of place, so that a country is replaced by a country, a state or province by a
# region and a town by a town: "X is in Greece" must not become "X is in Tartu" with the gold
# relation still `country` (session 8; the first version swapped every place for a town).
COUNTRIES = {"United States", "Spain", "Italy", "India", "Sri Lanka", "Azerbaijan", "Great Britain",
             "Denmark", "Indonesia", "United Kingdom", "Singapore", "Malaysia", "South Africa",
             "Switzerland", "Philippines", "Greece", "Romania", "Mexico", "Republic of Ireland",
             "Pakistan", "Brazil", "Angola", "France", "England", "Belgium", "Turkey", "Ireland",
             "Iraq", "Japan", "Ethiopia", "Colombia", "Australia", "China", "Turkmenistan",
             "Netherlands", "Norway", "Portugal", "Poland", "Austria", "Panama", "New Zealand",
             "Libya", "Scotland", "Wales", "Russia", "Canada", "Germany", "Israel", "Argentina",
             "South Korea", "Egypt", "Iceland", "Finland", "Sweden", "Hungary", "Croatia", "Serbia",
             "Belarus", "Ukraine", "Lebanon", "Jordan", "Kazakhstan", "Thailand", "Vietnam", "Nepal"}
REGION_WORDS = ("County", "Province", "Prefecture", "Department", "District", "Community", "Region")
REGIONS = {"New Hampshire", "California", "Texas", "Karnataka", "Uttar Pradesh", "Java", "Andalusia",
           "Virginia", "Sumatra", "Kerala", "Punjab", "Gujarat", "Illinois", "New Jersey", "Catalonia",
           "Derbyshire", "Derbyshire Dales", "Lazio", "Leinster", "Ticino", "Jalisco", "Lancashire",
           "Alabama", "Kansas", "Ohio", "Indiana", "Georgia", "Oregon", "Alagoas", "Visayas", "Awadh",
           "Bundelkhand", "Central Denmark", "Michigan", "Wisconsin", "Maryland", "Pennsylvania",
           "Hong Kong", "British Hong Kong", "New Netherland", "Europe", "Alderney", "Florida",
           "Tennessee", "Massachusetts", "Washington State", "Colorado", "Arizona", "Kentucky"}
# Venues, roads and buildings fill place slots too but are not places we have names of that kind
# for: they keep their mention, as organisations and works do.
VENUE_WORDS = ("Stadium", "Stadio", "Estadio", "Estádio", "Arena", "Airport", "International", "Park",
               "Sportpark", "Battlefield", "Route", "Center", "Centre", "Row", "Ridge", "cuisine",
               "Township", "Wall", "UNK")


def place_kind(mention, roles):
    """'country', 'region' or 'city' for a place mention, None for venues (kept)."""
    if any(w in mention for w in VENUE_WORDS):
        return None
    if mention in COUNTRIES:
        return "country"
    head = mention.split(" , ")[0]
    if mention in REGIONS or head.endswith(REGION_WORDS):
        return "region"
    if any(relation in ("state", "region") and slot == "o" for relation, slot in roles):
        return "region"
    return "city"


def kind_of(mention, roles):
    """'person', 'country', 'region', 'city' or None (kept) for a mention with its (relation, slot)
    roles."""
    if not re.search(r"[A-Za-z]", mention) or not mention[:1].isupper():
        return None  # numbers, dates, codes and common nouns stay
    for relation, slot in roles:
        if slot == "o" and relation in PERSON_OBJECT or slot == "s" and relation in PERSON_SUBJECT:
            return "person"
    for relation, slot in roles:
        if slot == "o" and relation in PLACE_OBJECT or slot == "s" and relation == "capital":
            return place_kind(mention, roles)
    return None


def swap_names(records, pools, seed=7):
    """Replaces person and place mentions by pool names, the same name for the same mention in a
    sentence. Other mentions (organisations, works, numbers) are kept."""
    rng = random.Random(seed)
    out, swapped, kept = [], collections.Counter(), 0
    for rec in records:
        roles = {}
        for s, r, o in rec["spo_list"]:
            roles.setdefault(s, []).append((r, "s"))
            roles.setdefault(o, []).append((r, "o"))
        mapping = {}
        for mention in sorted(roles, key=len, reverse=True):
            kind = kind_of(mention, roles[mention])
            if kind:
                # Two mentions of a sentence never get the same name (that would merge entities).
                free = [n for n in pools[kind] if n not in mapping.values()]
                mapping[mention] = rng.choice(free)
        # Rewrite the tokens span by span, right to left so that offsets stay valid.
        tokens = list(rec["tokens"])
        spans = {}
        for d, (s, r, o) in zip(rec["spo_details"], rec["spo_list"]):
            spans[(d[0], d[1])] = s
            spans[(d[4], d[5])] = o
        for (start, end), mention in sorted(spans.items(), reverse=True):
            if mention in mapping and " ".join(tokens[start:end]) == mention:
                tokens[start:end] = mapping[mention].split(" ")
        triples = [(mapping.get(s, s), r, mapping.get(o, o)) for s, r, o in rec["spo_list"]]
        swapped.update(kind_of(m, roles[m]) for m in roles if m in mapping)
        kept += sum(1 for m in roles if m not in mapping)
        try:
            out.append(record(tokens, triples))
        except ValueError:
            out.append(record(rec["tokens"], [tuple(t) for t in rec["spo_list"]]))
    return out, swapped, kept


def main():
    relations = json.loads((WEBNLG / "rel2id.json").read_text())
    relation_names = set(relations[0] if isinstance(relations, list) else relations)
    entities, words = webnlg_names()
    problems = []

    def hand_written(file, name, refused=frozenset()):
        """The records of a hand-written file; its mentions that are WebNLG entities or in `refused`
        (the mentions of the test set, for the dev set) are problems."""
        records = handwritten(relation_names, file)
        mentions = {m for r in records for s, _, o in r["spo_list"] for m in (s, o)}
        seen = sorted(n for n in mentions if n in entities)
        n_triples = sum(len(r["spo_list"]) for r in records)
        problems.extend(f"{file}: {n!r} is a WebNLG entity" for n in seen)
        print(f"{name}: {len(records)} sentences, {n_triples} triples, {len(mentions)} distinct "
              f"mentions, {len(seen)} of them WebNLG entities: {seen}")
        shared = sorted(mentions & refused)
        if refused:
            problems.extend(f"{file}: {n!r} is also a test-set name" for n in shared)
            print(f"{name}: {len(shared)} mentions shared with the test sets: {shared}")
        return records, mentions

    hand, names = hand_written("handwritten.txt", "handwritten")

    def pools_of(file):
        pools = {"person": [], "country": [], "region": [], "city": []}
        for line in (HERE / file).read_text().splitlines():
            if line and not line.startswith("#"):
                kind, name = line.split("\t")
                if name in entities or f" {name.lower()} " in words:
                    problems.append(f"{file}: {name!r} occurs in WebNLG")
                pools[kind].append(name)
        return pools

    pools, dev_pools = pools_of("names.txt"), pools_of("names-dev.txt")
    # The dev set shares no name with the test sets: not a mention of handwritten.txt, nor a name
    # that name-swapped/ puts into WebNLG test.
    hand_dev, _ = hand_written("handwritten-dev.txt", "handwritten-dev",
                               names | {n for k in pools for n in pools[k]})
    shared = {n for k in pools for n in pools[k]} & {n for k in dev_pools for n in dev_pools[k]}
    problems += [f"names-dev.txt: {n!r} is also in names.txt" for n in sorted(shared)]
    test = json.loads((WEBNLG / "test.json").read_text())
    swapped, n_swapped, n_kept = swap_names(test, pools)
    print(f"name-swapped: {len(swapped)} sentences, {sum(n_swapped.values())} mentions swapped "
          f"({dict(n_swapped)}), {n_kept} kept (organisations, works, venues, numbers, dates, "
          f"common nouns)")
    dev = json.loads((WEBNLG / "dev.json").read_text())
    swapped_dev, n_swapped, n_kept = swap_names(dev, dev_pools)
    print(f"name-swapped-dev: {len(swapped_dev)} sentences, {sum(n_swapped.values())} mentions "
          f"swapped ({dict(n_swapped)}), {n_kept} kept")
    folder = HERE / "name-swapped-dev"
    folder.mkdir(exist_ok=True)
    (folder / "dev.json").write_text(json.dumps(swapped_dev, ensure_ascii=False) + "\n")
    (folder / "rel2id.json").write_text((WEBNLG / "rel2id.json").read_text())

    for name, records, split in (("handwritten", hand, "test"), ("name-swapped", swapped, "test"),
                                 ("handwritten-dev", hand_dev, "dev")):
        folder = HERE / name
        folder.mkdir(exist_ok=True)
        (folder / f"{split}.json").write_text(json.dumps(records, ensure_ascii=False) + "\n")
        (folder / "rel2id.json").write_text((WEBNLG / "rel2id.json").read_text())
    # The same sentences for the WebNLG* (partial match) model, in its relation set: triples of
    # relations that WebNLG* lacks are left out.
    star = json.loads((ROOT / "data" / "webnlg-star" / "rel2id.json").read_text())
    star_names = set(star[0].values()) if isinstance(star, list) else set(star)
    for name, records, split in (("handwritten", hand, "test"), ("name-swapped", swapped, "test"),
                                 ("name-swapped-dev", swapped_dev, "dev"),
                                 ("handwritten-dev", hand_dev, "dev")):
        kept_records, dropped = [], 0
        for rec in records:
            keep = [i for i, t in enumerate(rec["spo_list"]) if t[1] in star_names]
            dropped += len(rec["spo_list"]) - len(keep)
            kept_records.append({"tokens": rec["tokens"],
                                 "spo_list": [rec["spo_list"][i] for i in keep],
                                 "spo_details": [rec["spo_details"][i] for i in keep]})
        folder = HERE / f"{name}-star"
        folder.mkdir(exist_ok=True)
        (folder / f"{split}.json").write_text(json.dumps(kept_records, ensure_ascii=False) + "\n")
        (folder / "rel2id.json").write_text((ROOT / "data" / "webnlg-star" / "rel2id.json").read_text())
        print(f"{name}-star: {dropped} triples left out (relations not in WebNLG*)")
    for p in problems:
        print("error:", p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
