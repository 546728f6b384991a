#!/usr/bin/env bash
# Retrain the shipped SignLLM checkpoints exactly as they were made (see each MODEL_CARD.md).
#
#   bash packaging/train_models.sh [PYTHON]        # default PYTHON: .venv/bin/python
#
# CPU, one thread per run, two runs side by side (about an hour on 2 cores). On a GPU machine
# add e.g. `--device cuda` to the train lines; the cards' numbers are from the CPU runs.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${1:-.venv/bin/python}
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
RUNS=${RUNS:-runs}
mkdir -p "$RUNS"

# a larger corpus for training: 1500 words per language (its dev/test words are the built-in
# corpus' dev/test words and more: splits are a hash of the word, never of the corpus size)
"$PY" -m signstudio corpus build --langs ase gsg sgg tsm --words 1500 >/dev/null
BIG=$("$PY" -c "
from signstudio.corpus.store import CorpusSettings, default_cache_path
print(default_cache_path(CorpusSettings(languages=('ase', 'gsg', 'sgg', 'tsm'), words_per_language=1500)))")

mlsf() {  # one MLSF channel per language, added to the shipped file one after the other
  local add=""
  for lang in ase gsg sgg tsm; do
    local steps=1800
    [ "$lang" = tsm ] && steps=3600  # still improving at 1800 steps
    "$PY" -m signstudio train signllm-mlsf --langs "$lang" --corpus "$BIG" --size tiny \
      --epochs 1000 --max-steps "$steps" --schedule cosine --lr 1e-3 --noise-std 0.6 --batch-size 16 \
      --eval-every 300 --dev-limit 24 --seed 0 --device cpu --no-progress \
      --out "$RUNS/mlsf-$lang" --export models/signllm-mlsf/signllm-mlsf.pt $add
    add="--add"
  done
}

p2lg() {  # the prompt reader, then one shared gloss-to-pose channel for the four languages
  "$PY" -m signstudio train signllm-p2lg --langs ase gsg sgg tsm --corpus "$BIG" --size tiny \
    --reader-minutes 15 --epochs 1000 --max-steps 8000 --schedule cosine --lr 1e-3 --noise-std 0.6 \
    --batch-size 16 --eval-every 1000 --dev-limit 32 --seed 0 --device cpu --no-progress \
    --out "$RUNS/p2lg" --export models/signllm-p2lg/signllm-p2lg.pt
}

mlsf & p2lg & wait

# MSE vs RL loss + PLC, side by side (one thread each), for the MLSF card's figure
"$PY" -m signstudio train compare-losses --langs ase --corpus "$BIG" --size tiny --epochs 1000 \
  --max-minutes 10 --lr 1e-3 --noise-std 0.6 --batch-size 16 --eval-every 100 --dev-limit 32 \
  --seed 0 --device cpu --no-progress --parallel --out "$RUNS/loss-comparison"
cp "$RUNS/loss-comparison/loss_comparison.svg" models/signllm-mlsf/loss_comparison.svg

# the cards' tables
"$PY" -m signstudio evaluate --models signllm-mlsf signllm-p2lg mean random lookup \
  --langs ase gsg sgg tsm --split dev --out "$RUNS/eval-dev.md"
"$PY" -m signstudio evaluate --models signllm-mlsf signllm-p2lg mean random lookup \
  --langs ase gsg sgg tsm --split test --out "$RUNS/eval-test.md"
