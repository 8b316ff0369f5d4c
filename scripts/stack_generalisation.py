#!/usr/bin/env python3
"""Generalisation of stack grouping on the Defects4J dev traces: in-sample vs leave-one-project-out
scores, and perturbations that must not move F1 by more than 0.02.

Usage: stack_generalisation.py SCORE_STACKS_BINARY TRACES.jsonl   (see scripts/score-stacks.sh)

* Settings grid: --key-frames in KEY_FRAMES x --message in MESSAGES (the two constants of stack
  selection). In-sample: the one setting with the best pooled F0.5 on all projects. Leave one
  project out: for each project, the setting with the best pairwise F0.5 (precision weighs twice recall) on the *other* projects (ties go to
  the shipped default), scored on that project; the held-out predictions are pooled and scored
  (signatures include the service, so no pair crosses projects and pooling is exact).
* Perturbations (shipped settings): every project named as the app (ROUNDS_IN_APP = its
  namespace), every project named as a library (ROUNDS_NOT_IN_APP = its namespace: its stacks
  then have no application frame at all, a library-only stack), and a second message line that
  looks like a frame (Jackson's `at [Source: ...]`).
Scores use scripts/score_grouping.py (pairwise P/R/F1, B-cubed F1), on the `exception` traces
(the headline subset) and on all traces.
"""
import collections, importlib.util, json, os, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("score_grouping", os.path.join(HERE, "score_grouping.py"))
sg = importlib.util.module_from_spec(spec)
spec.loader.exec_module(sg)

KEY_FRAMES = [2, 3, 4, 5, 6]
MESSAGES = ["always", "thrown", "never"]
DEFAULT = (4, "thrown")
# Each dev project's own namespace (its main and test code).
NAMESPACE = {
    "Chart": "org.jfree.",
    "Codec": "org.apache.commons.codec.",
    "Collections": "org.apache.commons.collections",
    "Compress": "org.apache.commons.compress.",
    "Gson": "com.google.gson.",
    "JacksonXml": "com.fasterxml.jackson.dataformat.xml.",
    "Math": "org.apache.commons.math",
    "Mockito": "org.mockito.",
}
MULTILINE = '\n at [Source: (String)"{\\"a\\":1,}"; line: 1, column: 9]'


def run(binary, traces, *opts):
    out = subprocess.run([binary, traces, "all", *opts], check=True, capture_output=True, text=True).stdout
    return dict(line.split("\t", 1) for line in out.splitlines() if "\t" in line)


def score(gold, pred, ids):
    s = sg.score({i: gold[i] for i in ids}, pred)
    return s["pair_P"], s["pair_R"], s["pair_F1"], s["b3_F1"]


def main():
    binary, traces = sys.argv[1], sys.argv[2]
    rows = [json.loads(l) for l in open(traces)]
    gold = {r["id"]: r["group"] for r in rows}
    subsets = {
        "exception": [r["id"] for r in rows if r["kind"] == "exception"],
        "all": [r["id"] for r in rows],
    }
    project = {r["id"]: r["project"] for r in rows}
    projects = sorted(set(project.values()))
    grid = {(k, m): run(binary, traces, "--key-frames", str(k), "--message", m) for k in KEY_FRAMES for m in MESSAGES}

    def f1(setting, ids):
        # The choice criterion: pairwise F0.5. Precision is the hard target (a merge hides a bug,
        # a split costs a second diagnosis; FORMAT.txt of the data says the same), so it weighs
        # twice recall.
        p, r = score(gold, grid[setting], ids)[:2]
        return 1.25 * p * r / (0.25 * p + r) if p + r else 0.0

    fmt = lambda t: " | ".join(f"{x:.3f}" for x in t)
    print("## Settings grid (pooled, in-sample)\n")
    print("| key frames | message | exception P | R | F1 | B3 F1 | all P | R | F1 | B3 F1 |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for s in grid:
        mark = " (shipped)" if s == DEFAULT else ""
        print(f"| {s[0]} | {s[1]}{mark} | {fmt(score(gold, grid[s], subsets['exception']))} | {fmt(score(gold, grid[s], subsets['all']))} |")

    print("\n## In-sample vs leave-one-project-out\n")
    print("| subset | in-sample (shipped) P | R | F1 | B3 F1 | best setting in-sample | leave-one-project-out P | R | F1 | B3 F1 | settings chosen |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, ids, choose_on in [
        ("exception, chosen on all traces", subsets["exception"], subsets["all"]),
        ("exception, chosen on exception traces", subsets["exception"], subsets["exception"]),
        ("all, chosen on all traces", subsets["all"], subsets["all"]),
    ]:
        best = max(grid, key=lambda s: (round(f1(s, choose_on), 6), s == DEFAULT))
        held = {}
        chosen = collections.Counter()
        for p in projects:
            train = [i for i in choose_on if project[i] != p]
            test = [i for i in ids if project[i] == p]
            pick = max(grid, key=lambda s: (round(f1(s, train), 6), s == DEFAULT))
            chosen[pick] += 1
            held.update({i: f"{pick}|{grid[pick][i]}" for i in test if i in grid[pick]})
        picks = ", ".join(f"{k}/{m} x{n}" for (k, m), n in chosen.most_common())
        print(f"| {name} | {fmt(score(gold, grid[DEFAULT], ids))} | {best[0]}/{best[1]}: F1 {score(gold, grid[best], ids)[2]:.3f} | {fmt(score(gold, held, ids))} | {picks} |")

    base = grid[DEFAULT]
    pert = {
        "every project named as the app (ROUNDS_IN_APP)": run(binary, traces, "--in-app", ",".join(NAMESPACE.values())),
        "every project named as a library (ROUNDS_NOT_IN_APP): library-only stacks": run(binary, traces, "--not-in-app", ",".join(NAMESPACE.values())),
        "second message line `at [Source: ...]`": run(binary, traces, "--message-suffix", MULTILINE),
    }
    print("\n## Perturbations (shipped settings; pooled)\n")
    print("| perturbation | exception P | R | F1 | B3 F1 | ΔF1 | all P | R | F1 | B3 F1 | ΔF1 |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    print(f"| none | {fmt(score(gold, base, subsets['exception']))} | | {fmt(score(gold, base, subsets['all']))} | |")
    worst = 0.0
    for name, pred in pert.items():
        cells = []
        for sub in ("exception", "all"):
            s = score(gold, pred, subsets[sub])
            d = s[2] - score(gold, base, subsets[sub])[2]
            worst = min(worst, d)
            cells.append(f"{fmt(s)} | {d:+.3f}")
        print(f"| {name} | {' | '.join(cells)} |")

    print("\n## Per project: F1 on all traces, shipped / as app / as library\n")
    print("| project | n | shipped F1 | as app | as library | largest drop |")
    print("|---|---|---|---|---|---|")
    app_p, lib_p = list(pert.values())[:2]
    for p in projects:
        ids = [i for i in subsets["all"] if project[i] == p]
        b = score(gold, base, ids)[2]
        a = score(gold, app_p, ids)[2]
        l = score(gold, lib_p, ids)[2]
        worst = min(worst, a - b, l - b)
        print(f"| {p} | {len(ids)} | {b:.3f} | {a:.3f} | {l:.3f} | {min(a - b, l - b, 0):+.3f} |")
    print(f"\nworst F1 drop under perturbation: {worst:+.3f} (bound: -0.020)")
    return 0 if worst >= -0.02 else 1


if __name__ == "__main__":
    sys.exit(main())
