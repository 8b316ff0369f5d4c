#!/usr/bin/env bash
# Score message templating on the Loghub-2k datasets with scripts/ga.py: per-dataset GA/FGA of
# mask() alone and of the TemplateMiner, the mean, and how the mean moves when each miner
# parameter moves one step either way. Usage: scripts/score-templates.sh [DATA_DIR]
# PROFILE=release for an optimised build (default: dev, which is enough for 16k messages).
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-tests/fixtures/loghub}
PROFILE=${PROFILE:-dev}
cargo build -q --profile "$PROFILE" --example score_templates
DIR=target/$([ "$PROFILE" = dev ] && echo debug || echo "$PROFILE")/examples
BIN=$DIR/score_templates
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# Defaults, kept in step with MinerConfig::default().
SIM=0.73 PREFIX=1 CHILDREN=100 CLUSTERS=1000 SETTLED=100

# score OPTIONS... -> prints "dataset ga fga" lines for every dataset
score() {
  for f in "$DATA"/*_structured_corrected.csv; do
    name=$(basename "$f"); name=${name%%_*}
    "$BIN" "$@" "$f" > "$TMP/pred.tsv"
    read -r _ ga _ fga _ < <(python3 scripts/ga.py "$f" "$TMP/pred.tsv")
    echo "$name $ga $fga"
  done
}
mean() { awk '{s+=$2; n++} END {printf "%.3f", s/n}'; }
minimum() { awk 'NR==1||$2<m{m=$2} END {printf "%.3f", m}'; }
miner() { score --similarity "$SIM" --prefix "$PREFIX" --max-children "$CHILDREN" --max-clusters "$CLUSTERS" --settled-after "$SETTLED" "$@"; }

score --mask-only > "$TMP/mask"
miner > "$TMP/miner"
miner --split-at 1000 > "$TMP/split"
echo "| dataset | mask() GA | mask() FGA | miner GA | miner FGA |"
echo "|---|---|---|---|---|"
join "$TMP/mask" "$TMP/miner" | awk '{printf "| %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5}'
printf "| **mean** | %s | | %s | |\n" "$(mean < "$TMP/mask")" "$(mean < "$TMP/miner")"
printf "| min | %s | | %s | |\n" "$(minimum < "$TMP/mask")" "$(minimum < "$TMP/miner")"
echo
if cmp -s "$TMP/miner" "$TMP/split"; then
  echo "Serialize/deserialize after message 1000 of every dataset: identical scores."
else
  echo "Serialize/deserialize after message 1000 CHANGED the scores:"; diff "$TMP/miner" "$TMP/split" || true
fi
echo
BASE=$(mean < "$TMP/miner")
echo "Robustness: mean miner GA (default $BASE) with one parameter moved one step."
echo
echo "| parameter | default | lower | mean GA | higher | mean GA | worst drop |"
echo "|---|---|---|---|---|---|---|"
row() { # name default lo hi option
  lo=$(miner "$5" "$3" | mean)
  hi=$(miner "$5" "$4" | mean)
  drop=$(awk -v b="$BASE" -v l="$lo" -v h="$hi" 'BEGIN {d=b-l; if (b-h>d) d=b-h; if (d<0) d=0; printf "%.3f", d}')
  echo "| $1 | $2 | $3 | $lo | $4 | $hi | $drop |"
}
row similarity "$SIM" 0.68 0.78 --similarity
row prefix_tokens "$PREFIX" 0 2 --prefix
row max_children "$CHILDREN" 50 200 --max-children
row max_clusters_per_scope "$CLUSTERS" 500 2000 --max-clusters
row settled_after "$SETTLED" 50 200 --settled-after
