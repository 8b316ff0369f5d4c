#!/usr/bin/env python3
# Provenance: copied verbatim (below this line) from /work/shared/tools/score_grouping.py, the team-shared scorer, on 2026-11-25.
"""Score a deterministic fingerprint against ground-truth groups.

Input: gold JSONL (fields `id`, `group`) and predictions (JSONL/TSV: id -> fingerprint).
Prints pairwise P/R/F1, B-cubed P/R/F1, ARI, homogeneity/completeness/V-measure,
#gold groups, #predicted clusters, split rate and merge rate. Pure stdlib.

  score_grouping.py gold.jsonl preds.tsv            # preds: "<id>\t<fingerprint>" per line
  score_grouping.py --demo-d4j defects4j/traces.jsonl  # built-in baseline fingerprints
"""
import collections, hashlib, json, math, re, sys

def comb2(n):
    return n * (n - 1) // 2

def score(gold, pred):
    ids = [i for i in gold if i in pred]
    G = collections.defaultdict(set); P = collections.defaultdict(set)
    for i in ids:
        G[gold[i]].add(i); P[pred[i]].add(i)
    cont = collections.Counter((gold[i], pred[i]) for i in ids)
    n = len(ids)
    tp = sum(comb2(v) for v in cont.values())
    gp = sum(comb2(len(s)) for s in G.values()); pp = sum(comb2(len(s)) for s in P.values())
    prec = tp / pp if pp else 1.0; rec = tp / gp if gp else 1.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    # B-cubed
    bp = sum(cont[(gold[i], pred[i])] / len(P[pred[i]]) for i in ids) / n
    br = sum(cont[(gold[i], pred[i])] / len(G[gold[i]]) for i in ids) / n
    bf = 2 * bp * br / (bp + br) if bp + br else 0.0
    # ARI
    tot = comb2(n); exp = gp * pp / tot if tot else 0.0; mx = (gp + pp) / 2
    ari = (tp - exp) / (mx - exp) if mx != exp else 1.0
    # V-measure
    def H(counts):
        return -sum(c / n * math.log(c / n) for c in counts if c)
    HC = H([len(s) for s in G.values()]); HK = H([len(s) for s in P.values()])
    HCK = -sum(c / n * math.log(c / len(P[k])) for (g, k), c in cont.items())
    HKC = -sum(c / n * math.log(c / len(G[g])) for (g, k), c in cont.items())
    hom = 1 - HCK / HC if HC else 1.0; com = 1 - HKC / HK if HK else 1.0
    v = 2 * hom * com / (hom + com) if hom + com else 0.0
    split = sum(1 for s in G.values() if len({pred[i] for i in s}) > 1) / len(G)
    merge = sum(1 for s in P.values() if len({gold[i] for i in s}) > 1) / len(P)
    return dict(n=n, gold_groups=len(G), pred_clusters=len(P), pair_P=prec, pair_R=rec, pair_F1=f1,
                b3_P=bp, b3_R=br, b3_F1=bf, ARI=ari, homogeneity=hom, completeness=com, V=v,
                gold_groups_split=split, pred_clusters_impure=merge)

# ---- demo baselines for the Defects4J set ----------------------------------
NOISE = re.compile(r'^(java\.|javax\.|sun\.|jdk\.|junit\.|org\.junit\.|org\.apache\.tools\.ant\.|'
                   r'org\.easymock\.|org\.mockito\.internal\.|net\.sf\.cglib\.|com\.sun\.)')
def h(*parts):
    return hashlib.sha256('\x1f'.join(parts).encode()).hexdigest()[:16]
def fp_type_top(r, k=5):
    return h(r['exception_type'], *[f for f, _ in r['frames'][:k]])
def fp_type_inapp(r, k=5):
    fr = [f for f, _ in r['frames'] if not NOISE.match(f)]
    return h(r['exception_type'], *fr[:k])
def fp_type_inapp_notest(r, k=3):
    fr = [f for f, _ in r['frames'] if not NOISE.match(f) and not re.search(r'(Test|Tests|TestCase)(\$\w+)?\.\w+$', f)]
    return h(r['exception_type'], *fr[:k])
def fp_svc_type_inapp_dedup(r, k=5):
    fr = []
    for f, _ in r['frames']:
        if NOISE.match(f) or (fr and fr[-1] == f):
            continue  # drop framework frames and collapse direct recursion
        fr.append(f)
    return h(r['project'], r['exception_type'], *fr[:k])
def fp_type_msg(r):
    return h(r['exception_type'], re.sub(r'\d+', '<n>', r['message'])[:200])

def main(argv):
    if argv[:1] == ['--demo-d4j']:
        recs = [json.loads(l) for l in open(argv[1])]
        size = collections.Counter(r['group'] for r in recs)
        size_exc = collections.Counter(r['group'] for r in recs if r['kind'] == 'exception')
        subsets = {
            'all': lambda r: True,
            'multi (gold groups with >=2 traces)': lambda r: size[r['group']] >= 2,
            'exception': lambda r: r['kind'] == 'exception',
            'exception multi': lambda r: r['kind'] == 'exception' and size_exc[r['group']] >= 2,
        }
        for subset, keep in subsets.items():
            rs = [r for r in recs if keep(r)]
            gold = {r['id']: r['group'] for r in rs}
            print(f'# subset={subset} traces={len(rs)}')
            for name, fn in (('type+top5 frames', fp_type_top), ('type+top5 non-framework frames', fp_type_inapp),
                             ('type+top3 non-framework non-test frames', fp_type_inapp_notest),
                             ('project+type+top5 non-fw frames, recursion collapsed', fp_svc_type_inapp_dedup),
                             ('type+message(digits masked)', fp_type_msg),
                             ('all in one bucket', lambda r: 'x'), ('every trace alone', lambda r: r['id'])):
                s = score(gold, {r['id']: fn(r) for r in rs})
                print(f"{name:54s} " + ' '.join(f'{k}={v:.3f}' if isinstance(v, float) else f'{k}={v}' for k, v in s.items()))
        return
    gold = {}
    for l in open(argv[0]):
        r = json.loads(l); gold[r['id']] = r['group']
    pred = {}
    for l in open(argv[1]):
        l = l.rstrip('\n')
        if not l: continue
        if l.startswith('{'):
            r = json.loads(l); pred[r['id']] = r['fingerprint']
        else:
            i, _, f = l.partition('\t'); pred[i] = f
    print(json.dumps(score(gold, pred), indent=1))

if __name__ == '__main__':
    main(sys.argv[1:])
