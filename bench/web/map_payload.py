"""The dashboard map's payload for a utility of N customers: the network's GeoJSON
(`/api/network.geojson`) as built, and gzipped as a browser gets it.

    .venv/bin/python bench/web/map_payload.py 100000 1000000
"""

from __future__ import annotations

import argparse
import gzip
import time

from gis.placement import on_the_map
from gis.synthetic import synthesize_utility
from web.api.network import network_geojson


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("customers", type=int, nargs="+")
    args = parser.parse_args()
    for n in args.customers:
        network = on_the_map(synthesize_utility(n, seed=1))
        t0 = time.perf_counter()
        body = network_geojson(network)
        t1 = time.perf_counter()
        packed = gzip.compress(body, compresslevel=6, mtime=0)
        t2 = time.perf_counter()
        print(f"{n:,} customers: {len(network.branches.kind):,} branches; GeoJSON "
              f"{len(body) / 1e6:.1f} MB built in {t1 - t0:.1f} s; gzipped "
              f"{len(packed) / 1e6:.1f} MB in {t2 - t1:.1f} s")


if __name__ == "__main__":
    main()
