#!/usr/bin/env python3
# Writes a repository of N templated chart files (~330 bytes each, one variable
# each, deterministic) for timing `converge compile` by hand (issue 15):
#   python3 bench/make_assets_repo.py /tmp/c10k 10000
#   cd /tmp/c10k && converge compile --env dev
# Same N, same bytes: the files come from the index alone, no randomness.
import os
import sys

CONFIG = """version: 1
environments:
  - name: dev
    branch: "dev/**"
targets:
  - name: bi
    provider: assets
    settings:
      url: http://127.0.0.1:9
"""

CHART = """dataset_name: none
params:
  metric: sum__amount_cents
  host: "{{{{ db_host }}}}"
  filters:
    - col: region
      op: in
      val: [eu, us, apac]
slice_name: Chart {i} for {{{{ db_host }}}}
uuid: 9c2b4e6f-3a1d-4b8c-a5e7-{i:012d}
viz_type: big_number_total
description: "A chart that shows the revenue of region {i}: summed, in cents"
"""


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: make_assets_repo.py DIR N")
    root, n = sys.argv[1], int(sys.argv[2])
    charts = os.path.join(root, "assets", "charts")
    os.makedirs(charts, exist_ok=True)
    os.makedirs(os.path.join(root, "env"), exist_ok=True)
    with open(os.path.join(root, "converge.yaml"), "w") as f:
        f.write(CONFIG)
    with open(os.path.join(root, "env", "dev.yaml"), "w") as f:
        f.write("db_host: warehouse-dev.internal\n")
    for i in range(1, n + 1):
        with open(os.path.join(charts, f"c{i}.yaml.j2"), "w") as f:
            f.write(CHART.format(i=i))


if __name__ == "__main__":
    main()
