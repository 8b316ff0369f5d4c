#!/usr/bin/env python3
# Provenance: copied verbatim from /work/shared/tools/ga.py (project shared tools); computes Loghub GA/FGA.
"""Grouping Accuracy (GA) and FGA for message templating, as the Loghub papers compute them.

GA  = share of messages whose predicted group holds exactly the messages of their true group.
FGA = F1 of (correct groups / predicted groups, correct groups / true groups).

Usage:
  ga.py TRUTH.csv PRED.tsv     TRUTH: a Loghub *_structured_corrected.csv (columns LineId, Content, EventTemplate)
                               PRED:  one line per message, "LineId<TAB>group key" (any string; same key = same group)
  ga.py --lines TRUTH.csv      print "LineId<TAB>Content" lines, to feed a templating tool
"""
import csv, sys
from collections import Counter, defaultdict


def ga_fga(truth, pred):
    by_truth = defaultdict(list)
    for i, t in enumerate(truth):
        by_truth[t].append(i)
    pred_sizes = Counter(pred)
    correct_msgs = correct_groups = 0
    for idxs in by_truth.values():
        keys = {pred[i] for i in idxs}
        if len(keys) == 1 and pred_sizes[next(iter(keys))] == len(idxs):
            correct_msgs += len(idxs)
            correct_groups += 1
    ga = correct_msgs / len(truth)
    pga, rga = correct_groups / len(pred_sizes), correct_groups / len(by_truth)
    return ga, (0.0 if pga + rga == 0 else 2 * pga * rga / (pga + rga))


def main(argv):
    if len(argv) == 3 and argv[1] == '--lines':
        for r in csv.DictReader(open(argv[2], newline='', encoding='utf-8')):
            print(f"{r['LineId']}\t{r['Content']}")
        return 0
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    rows = list(csv.DictReader(open(argv[1], newline='', encoding='utf-8')))
    pred = {}
    for line in open(argv[2], encoding='utf-8'):
        if line.strip():
            lid, _, key = line.rstrip('\n').partition('\t')
            pred[lid] = key
    missing = [r['LineId'] for r in rows if r['LineId'] not in pred]
    if missing:
        print(f'{len(missing)} messages have no prediction (first: {missing[0]})', file=sys.stderr)
        return 1
    ga, fga = ga_fga([r['EventTemplate'] for r in rows], [pred[r['LineId']] for r in rows])
    print(f'GA {ga:.3f}  FGA {fga:.3f}  messages {len(rows)}')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
