#!/usr/bin/env bash
# Retrain the shipped checkpoints exactly as they were made (see each MODEL_CARD.md).
#
#   bash packaging/train_models.sh [PYTHON]        # default PYTHON: .venv/bin/python
#
# Two generations of runs, both CPU, one thread per run, at most two runs side by side, `nice`
# (the machine is shared):
#   1. before issue 21, four sign languages (ase gsg sgg tsm) on a 4 x 1500-word corpus: MLSF's four
#      channels, the four-language nar-kd and its no-KD twin (now the Table 3a pair in
#      models/nar-kd/ablations/), the loss comparison and SignLLM Table 7;
#   2. issue 21, all 20 languages on a 20 x 600-word corpus: MLSF's 16 other channels (added with
#      --add, the four above untouched), and p2lg, nar-kd, diffusion, the fgd-encoder and the
#      back-translation retrained over the 20 (CPU-sized: fewer steps than generation 1; each
#      card says how many and why).
# On a GPU machine add e.g. `--device cuda` to the train lines; the cards' numbers are CPU runs.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${1:-.venv/bin/python}
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
RUN="nice -n 10 $PY"
RUNS=${RUNS:-runs}
mkdir -p "$RUNS"
ALL="asq ase bzs cse csq eso fsl gsg gss ise jos lls mfs psr sgg ssp svk swl tsm ukl"

# ---- generation 1: four languages ----------------------------------------------------------------
# a larger corpus for training: 1500 words per language (its dev/test words are the built-in
# corpus' dev/test words and more: splits are a hash of the word, never of the corpus size)
$RUN -m signstudio corpus build --langs ase gsg sgg tsm --words 1500 >/dev/null
BIG=$("$PY" -c "
from signstudio.corpus.store import CorpusSettings, default_cache_path
print(default_cache_path(CorpusSettings(languages=('ase', 'gsg', 'sgg', 'tsm'), words_per_language=1500)))")

mlsf() {  # one MLSF channel per language, added to the shipped file one after the other
  local add=""
  for lang in ase gsg sgg tsm; do
    local steps=1800
    [ "$lang" = tsm ] && steps=3600  # still improving at 1800 steps
    $RUN -m signstudio train signllm-mlsf --langs "$lang" --corpus "$BIG" --size tiny \
      --epochs 1000 --max-steps "$steps" --schedule cosine --lr 1e-3 --noise-std 0.6 --batch-size 16 \
      --eval-every 300 --dev-limit 24 --seed 0 --device cpu --no-progress \
      --out "$RUNS/mlsf-$lang" --export models/signllm-mlsf/signllm-mlsf.pt $add
    add="--add"
  done
}

mlsf

# nar-kd and its ablation without distillation (Hwang et al. Table 3a), side by side; both train
# the same frame VAE first (same seed and data: the teachers come out bit-identical). The KD run
# was the shipped nar-kd until issue 21; it is kept as the "with KD" half of Table 3a.
GEN="--langs ase gsg sgg tsm --corpus $BIG --batch-size 16 --lr 1e-3 --schedule cosine --epochs 1000
  --max-steps 4000 --eval-every 500 --dev-limit 24 --seed 0 --device cpu --no-progress"
# shellcheck disable=SC2086
$RUN -m signstudio train nar-kd $GEN --layers 2 --vae-steps 3000 --out "$RUNS/narkd-4" \
  --export models/nar-kd/ablations/nar-kd-4-languages.pt &
# shellcheck disable=SC2086
$RUN -m signstudio train nar-kd $GEN --layers 2 --vae-steps 3000 --no-kd --out "$RUNS/narkd-nokd" \
  --export models/nar-kd/ablations/nar-kd-no-kd.pt &
wait

# MSE vs RL loss + PLC, side by side (one thread each), for the MLSF card's figure
$RUN -m signstudio train compare-losses --langs ase --corpus "$BIG" --size tiny --epochs 1000 \
  --max-minutes 10 --lr 1e-3 --noise-std 0.6 --batch-size 16 --eval-every 100 --dev-limit 32 \
  --seed 0 --device cpu --no-progress --parallel --out "$RUNS/loss-comparison"
cp "$RUNS/loss-comparison/loss_comparison.svg" models/signllm-mlsf/loss_comparison.svg

# SignLLM Table 7: MLSF's ASL channel with the shipped recipe, MSE vs RL loss vs RL loss + PLC
T7="--langs ase --corpus $BIG --size tiny --epochs 1000 --max-steps 1800 --schedule cosine --lr 1e-3
  --noise-std 0.6 --batch-size 16 --eval-every 300 --dev-limit 24 --seed 0 --device cpu --no-progress"
# shellcheck disable=SC2086
$RUN -m signstudio train signllm-mlsf $T7 --loss mse --out "$RUNS/t7-mse" \
  --export models/signllm-mlsf/ablations/mse.pt &
# shellcheck disable=SC2086
$RUN -m signstudio train signllm-mlsf $T7 --loss rl --out "$RUNS/t7-rl" \
  --export models/signllm-mlsf/ablations/rl.pt &
wait
# shellcheck disable=SC2086
$RUN -m signstudio train signllm-mlsf $T7 --loss rl --plc --out "$RUNS/t7-rl-plc" \
  --export models/signllm-mlsf/ablations/rl-plc.pt

# error propagation by length (Hwang et al. Table 2 analogue) of the four-language models, on the
# larger corpus' test words (the nar-kd of this table is now ablations/nar-kd-4-languages.pt)
$RUN -m signstudio evaluate --by-length --models signllm-mlsf nar-kd --corpus "$BIG" \
  --checkpoint nar-kd=models/nar-kd/ablations/nar-kd-4-languages.pt \
  --langs ase gsg sgg tsm --split test --out models/nar-kd/by_length.md

# ---- generation 2 (issue 21): all 20 languages ---------------------------------------------------
# 600 words per language (eso has only 203): 9294 train words, about as many as generation 1's
# 4 x 1500 but spread over 20 languages; every dev/test word of the built-in corpus is a dev/test
# word here too (the split is a hash of the word)
$RUN -m signstudio corpus build --words 600 >/dev/null
BIG20=$("$PY" -c "
from signstudio.corpus.store import CorpusSettings, default_cache_path
print(default_cache_path(CorpusSettings(words_per_language=600)))")

mlsf20() {  # MLSF: one new channel per language, added to the shipped file (the four above untouched)
  for lang in asq bzs cse csq eso fsl gss ise jos lls mfs psr ssp svk swl ukl; do
    # asq and bzs got 500 steps, cse 300, csq eso fsl gss 200 (100 warm-up steps, then the
    # cosine), the last nine 120 at a constant rate (a 100-step warm-up would have been most of
    # their run): the CPU, shared with four engineers' tests, ran a third to a fifth as fast as
    # planned, and the steps were cut as it went (the MLSF card)
    local steps=120 every=60 limit=12 schedule=constant
    case $lang in
      asq | bzs) steps=500 every=250 limit=16 schedule=cosine ;;
      cse) steps=300 every=150 schedule=cosine ;;
      csq | eso | fsl | gss) steps=200 every=100 schedule=cosine ;;
    esac
    $RUN -m signstudio train signllm-mlsf --langs "$lang" --corpus "$BIG20" --size tiny \
      --epochs 1000 --max-steps "$steps" --schedule "$schedule" --lr 1e-3 --noise-std 0.6 \
      --batch-size 16 --eval-every "$every" --dev-limit "$limit" --seed 0 --device cpu --no-progress \
      --out "$RUNS/mlsf-$lang" --export models/signllm-mlsf/signllm-mlsf.pt --add
  done
  # the back-translation model (pose -> text; ground truth only), the evaluator of the report
  # shellcheck disable=SC2086
  $RUN -m signstudio train backtranslation --langs $ALL --corpus "$BIG20" --batch-size 32 \
    --max-steps 500 --pretrain-steps 100 --seed 0 --device cpu --no-progress
  # p2lg again (generators20 below ran it first): at 1000 steps its dev pt-dtw was 25.6, so it
  # resumed from that last.pt here for at most 6000 steps or P2LG_MINUTES (39.0 in the run: its
  # own wall time in all, until 04:16). It was stopped by hand after its step-2500 evaluation, to
  # leave time for the report: no evaluation after step 1000 beat step 1000's (26.7, 26.2, 26.8),
  # so the shipped file is the step-1000 best.pt, as its export had already written it
  # shellcheck disable=SC2086
  $RUN -m signstudio train signllm-p2lg --langs $ALL --corpus "$BIG20" --size tiny --reader-minutes 4 \
    --epochs 1000 --max-steps 6000 --max-minutes "${P2LG_MINUTES:?}" --schedule cosine --lr 1e-3 \
    --noise-std 0.6 --batch-size 16 --eval-every 500 --dev-limit 4 --seed 0 --device cpu \
    --no-progress --out "$RUNS/p2lg" --export models/signllm-p2lg/signllm-p2lg.pt
}

generators20() {  # p2lg (its prompt reader first), nar-kd, diffusion, then the FGD encoder
  # p2lg was started with --max-steps 2500, stopped after its step-500 checkpoint (1.6 s a step on
  # the shared CPU) and resumed from it with 1000: its first 500 steps followed the 2500-step
  # cosine, the last 500 the 1000-step one (the reader, trained first, was reused on resuming)
  # shellcheck disable=SC2086
  $RUN -m signstudio train signllm-p2lg --langs $ALL --corpus "$BIG20" --size tiny \
    --reader-minutes 4 --epochs 1000 --max-steps 1000 --schedule cosine --lr 1e-3 --noise-std 0.6 \
    --batch-size 16 --eval-every 500 --dev-limit 4 --seed 0 --device cpu --no-progress \
    --out "$RUNS/p2lg" --export models/signllm-p2lg/signllm-p2lg.pt
  local gen="--langs $ALL --corpus $BIG20 --batch-size 16 --lr 1e-3 --schedule cosine --epochs 1000
    --max-steps 800 --eval-every 400 --dev-limit 4 --seed 0 --device cpu --no-progress"
  # shellcheck disable=SC2086
  $RUN -m signstudio train nar-kd $gen --layers 2 --vae-steps 600 --out "$RUNS/narkd" \
    --export models/nar-kd/nar-kd.pt
  # diffusion predicts x0 and ships 5 DDIM steps without guidance (generation 1's dev sweep, on
  # its card); its dev evaluations while training use the same
  # shellcheck disable=SC2086
  $RUN -m signstudio train diffusion $gen --prediction x0 --sample-steps 5 --guidance 1 \
    --out "$RUNS/diffusion" --export models/diffusion/diffusion.pt
  # the FGD feature encoder (reference Gaussians from the built-in corpus' splits, all 20)
  # shellcheck disable=SC2086
  $RUN -m signstudio train fgd-encoder --langs $ALL --corpus "$BIG20" --max-steps 2000 \
    --batch-size 64 --lr 1e-3 --seed 0 --device cpu --no-progress
}

mlsf20 & generators20 & wait

# the report: every model and the ground truth over the 20 languages: Table 1, the 20-language
# table, Tables 2, 3a and SignLLM's Table 7
$RUN -m signstudio evaluate --split test --out models/REPORT.md
