"""Regenerate the official geography bundled in ``territoires.geo`` from npm.

Fetches ``@etalab/decoupage-administratif`` with ``npm pack`` (code MIT, data Licence Ouverte
2.0), checks it, and writes two compact files under ``src/territoires/geo/_data/``:

``geography.json.gz``
    What every lookup needs: régions, départements, communes (actual communes, overseas
    collectivities included), arrondissements municipaux, EPCI and EPT. Communes are stored as
    columns (codes and names each joined by newlines in one string) because that decodes about
    twice as fast as a list of strings and compresses better.
``aliases.json.gz``
    What only a miss or a search needs: former codes, communes déléguées and associées (with
    the current commune that absorbed them), and the SIREN of the communes whose SIREN does not
    follow the ``21`` + code + key pattern. Loaded on first need only.
``vintage.json``
    Package, version, millésime, licences, tarball integrity and date generated.

Usage::

    .venv/bin/python scripts/update_geography.py [--version 6.0.0] [--millesime 2026]
    .venv/bin/python scripts/update_geography.py --tarball path/to/package.tgz --version 6.0.0

Gzip files are written with a zero timestamp, so the data files only change when the data does.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import gzip
import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from territoires.model import codes  # noqa: E402

PACKAGE = "@etalab/decoupage-administratif"
URL = "https://github.com/datagouv/decoupage-administratif"
DATA_LICENCE = "Licence Ouverte 2.0 (Etalab)"
FORMAT = 1
OUTPUT = ROOT / "src" / "territoires" / "geo" / "_data"
# From the package README ("Millésimes et versions de package").
MILLESIMES = {"6": 2026, "5": 2025, "4": 2024, "3": 2023, "2": 2022, "1": 2021}
EPCI_TYPES = {"CC", "CA", "CU", "METRO", "MET69"}
FILES = ("communes", "departements", "regions", "epci", "ept")


def fail(message: str) -> None:
    raise SystemExit(f"update_geography: {message}")


def npm_pack(version: str, workdir: Path) -> tuple[Path, dict[str, Any]]:
    spec = f"{PACKAGE}@{version}"
    result = subprocess.run(
        ["npm", "pack", spec, "--json", "--ignore-scripts", "--pack-destination", str(workdir)],
        check=True,
        capture_output=True,
        text=True,
    )
    info = json.loads(result.stdout)[0]
    return workdir / info["filename"], info


def read_tarball(path: Path) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
    data: dict[str, list[dict[str, Any]]] = {}
    with tarfile.open(path, "r:gz") as tar:
        manifest = json.load(_member(tar, "package/package.json"))
        for name in FILES:
            data[name] = json.load(_member(tar, f"package/data/{name}.json"))
    return manifest, data


def _member(tar: tarfile.TarFile, name: str) -> Any:
    extracted = tar.extractfile(name)
    if extracted is None:
        fail(f"{name} missing from the tarball")
    return extracted


def departement_of(code: str) -> str:
    """Département of a commune code: 3 characters overseas (97x, 98x), 2 elsewhere."""
    return code[:3] if code[:2] in ("97", "98") else code[:2]


def pattern_siren(code: str) -> str:
    """SIREN most communes have: 21, the code with a 0 after the département, the Luhn key."""
    dep = departement_of(code)
    base = "21" + ("20" if dep in ("2A", "2B") else dep) + "0" + code[len(dep) :]
    return next(base + key for key in "0123456789" if codes.luhn_ok(base + key))


def convert(raw: dict[str, list[dict[str, Any]]]) -> tuple[dict[str, Any], dict[str, Any]]:
    problems: list[str] = []

    def check(ok: bool, message: str) -> None:
        if not ok:
            problems.append(message)

    regions = sorted(raw["regions"], key=lambda r: r["code"])
    for r in regions:
        check(codes.is_region_code(r["code"]), f"région code {r['code']!r}")
    region_codes = {r["code"] for r in regions}
    departements = sorted(raw["departements"], key=lambda d: d["code"])
    for d in departements:
        check(codes.is_departement_code(d["code"]), f"département code {d['code']!r}")
        check(d["region"] in region_codes, f"département {d['code']} in unknown région")
    dep_region = {d["code"]: d["region"] for d in departements}

    by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for c in raw["communes"]:
        by_type[c["type"]].append(c)
    actual = sorted(by_type["commune-actuelle"], key=lambda c: c["code"])
    actual_codes = {c["code"]: i for i, c in enumerate(actual)}
    for c in actual:
        code = c["code"]
        check(codes.is_commune_code(code), f"commune code {code!r}")
        check(departement_of(code) == c["departement"], f"commune {code} département")
        check(dep_region.get(c["departement"]) == c["region"], f"commune {code} région")
        check(bool(c["nom"].strip()) and "\n" not in c["nom"], f"commune {code} name")
        pop = c.get("population")
        check(pop is None or (type(pop) is int and pop >= 0), f"commune {code} population")
    arms = sorted(by_type["arrondissement-municipal"], key=lambda c: c["code"])
    for a in arms:
        check(a["commune"] in actual_codes, f"arrondissement {a['code']} parent")
        check(departement_of(a["code"]) == a["departement"], f"arrondissement {a['code']}")

    epcis = sorted(raw["epci"], key=lambda e: e["code"])
    epts = sorted(raw["ept"], key=lambda e: e["code"])
    commune_epci = [-1] * len(actual)
    for i, e in enumerate(epcis):
        check(e["type"] in EPCI_TYPES, f"EPCI {e['code']} type {e['type']!r}")
        check(codes.is_siren(e["code"]), f"EPCI SIREN {e['code']!r}")
        for m in e["membres"]:
            index = actual_codes.get(m["code"])
            check(index is not None, f"EPCI {e['code']} member {m['code']} is not a commune")
            if index is not None:
                check(commune_epci[index] == -1, f"commune {m['code']} in two EPCI")
                commune_epci[index] = i
    ept_rows = []
    seen_ept: set[str] = set()
    for e in epts:
        check(codes.is_siren(e["code"]), f"EPT SIREN {e['code']!r}")
        members = sorted(m["code"] for m in e["membres"])
        for m in members:
            check(m in actual_codes, f"EPT {e['code']} member {m} is not a commune")
            check(m not in seen_ept, f"commune {m} in two EPT")
            seen_ept.add(m)
        ept_rows.append([e["code"], e["nom"], e["populationMunicipale"], members])

    # Aliases: the current status of communes déléguées and associées wins over anciensCodes
    # (two codes disagree in 6.0.0: 55273 and 60455, where the delegated record is newer).
    aliases: dict[str, tuple[str, str, str]] = {}
    for c in actual:
        for old in c.get("anciensCodes", []):
            check(old not in actual_codes, f"former code {old} is a current commune")
            aliases[old] = (c["code"], "former", "")
    for kind, label in (("commune-deleguee", "delegated"), ("commune-associee", "associated")):
        for c in by_type[kind]:
            check(c["chefLieu"] in actual_codes, f"{kind} {c['code']} parent")
            aliases[c["code"]] = (c["chefLieu"], label, c["nom"])
    siren = {
        c["code"]: c["siren"]
        for c in actual
        if "siren" in c and c["siren"] != pattern_siren(c["code"])
    }

    if problems:
        fail("the package data breaks expectations:\n  " + "\n  ".join(problems))

    core = {
        "format": FORMAT,
        "regions": [[r["code"], r["nom"]] for r in regions],
        "departements": [[d["code"], d["nom"], d["region"]] for d in departements],
        "communes": {
            "codes": "\n".join(c["code"] for c in actual),
            "names": "\n".join(c["nom"] for c in actual),
            "populations": [c.get("population") for c in actual],
            "epci": commune_epci,
        },
        "arrondissements": [[a["code"], a["nom"], a["population"], a["commune"]] for a in arms],
        "epci": [[e["code"], e["nom"], e["type"], e["populationMunicipale"]] for e in epcis],
        "ept": ept_rows,
    }
    alias_codes = sorted(aliases)
    extra = {
        "format": FORMAT,
        "aliases": {
            "codes": alias_codes,
            "current": [aliases[a][0] for a in alias_codes],
            "kinds": [aliases[a][1] for a in alias_codes],
            "names": [aliases[a][2] for a in alias_codes],
        },
        "siren": siren,
    }
    return core, extra


def dump(obj: Any, path: Path) -> int:
    raw = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()
    data = gzip.compress(raw, compresslevel=9, mtime=0)
    path.write_bytes(data)
    return len(data)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", default="6.0.0", help="npm package version (6.0.0)")
    parser.add_argument("--millesime", type=int, help="year of the data (from the version)")
    parser.add_argument("--tarball", type=Path, help="use this tarball instead of npm pack")
    parser.add_argument("--output", type=Path, default=OUTPUT, help="where to write the data")
    args = parser.parse_args(argv)
    millesime = args.millesime or MILLESIMES.get(args.version.split(".")[0])
    if millesime is None:
        fail(f"no known millésime for version {args.version}: pass --millesime")

    with tempfile.TemporaryDirectory() as tmp:
        info: dict[str, Any] = {}
        if args.tarball is not None:
            tarball = args.tarball
        else:
            tarball, info = npm_pack(args.version, Path(tmp))
        blob = tarball.read_bytes()
        manifest, raw = read_tarball(tarball)
    if manifest.get("name") != PACKAGE or manifest.get("version") != args.version:
        fail(f"tarball holds {manifest.get('name')}@{manifest.get('version')}")

    core, extra = convert(raw)
    args.output.mkdir(parents=True, exist_ok=True)
    core_size = dump(core, args.output / "geography.json.gz")
    extra_size = dump(extra, args.output / "aliases.json.gz")
    communes = core["communes"]
    vintage = {
        "package": PACKAGE,
        "version": args.version,
        "millesime": millesime,
        "url": URL,
        "code_licence": manifest.get("license", "MIT"),
        "data_licence": DATA_LICENCE,
        "tarball": tarball.name,
        "integrity": info.get("integrity")
        or "sha512-" + base64.b64encode(hashlib.sha512(blob).digest()).decode(),
        "sha256": hashlib.sha256(blob).hexdigest(),
        "generated": dt.date.today().isoformat(),
        "format": FORMAT,
        "counts": {
            "regions": len(core["regions"]),
            "departements": len(core["departements"]),
            "communes": len(communes["populations"]),
            "arrondissements": len(core["arrondissements"]),
            "epci": dict(sorted(Counter(e[2] for e in core["epci"]).items())),
            "ept": len(core["ept"]),
            "aliases": dict(sorted(Counter(extra["aliases"]["kinds"]).items())),
        },
    }
    (args.output / "vintage.json").write_text(
        json.dumps(vintage, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    print(f"{PACKAGE} {args.version} (millésime {millesime}) → {args.output}")
    print(f"  geography.json.gz {core_size:,} bytes, aliases.json.gz {extra_size:,} bytes")
    print(f"  {json.dumps(vintage['counts'], ensure_ascii=False)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
