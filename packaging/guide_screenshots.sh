#!/usr/bin/env bash
# Regenerate every picture of the user guide (resources/guide/images/*.png) from the studio itself,
# so that the guide shows the current UI. Each picture is one `signstudio app ... --screenshot PNG
# --quit` command: the flags set the studio up as a user would through its menus (generate a word,
# mirror it, drag a wrist, bring a panel to the front ...) and the screenshot waits until the
# generation, the scores and the avatars are drawn. The few input files are made by other
# `signstudio` commands (generate, corpus build).
#
#   bash packaging/guide_screenshots.sh [PYTHON]     # default PYTHON: .venv/bin/python
#
# Runs under Xvfb (a 1600x1000 virtual screen, Mesa's software OpenGL) when xvfb-run exists, so the
# pictures look the same on every machine; otherwise on $DISPLAY. Your own settings and autosaves
# are never touched: both live in a temporary folder here. 3 to 6 minutes on 2 CPU cores, most of
# it fitting the avatars in teacher-avatar.png.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PY=${1:-.venv/bin/python}

if [ -z "${GUIDE_SHOTS_UNDER_XVFB:-}" ] && command -v xvfb-run >/dev/null 2>&1; then
  export GUIDE_SHOTS_UNDER_XVFB=1
  exec xvfb-run -a -s "-screen 0 1600x1000x24" bash "$0" "$@"
fi

OUT=resources/guide/images
WORK=$(mktemp -d "${TMPDIR:-/tmp}/signstudio-guide.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT"
export QT_QPA_PLATFORM=xcb
export SIGNSTUDIO_CONFIG_DIR="$WORK/config"        # the studio's settings: a fresh set
export SIGNSTUDIO_AUTOSAVE_DIR="$WORK/autosave"    # its autosaves (each journey gets its own)
signstudio() { "$PY" -m signstudio "$@"; }
# a user who has seen the welcome tour (Help → Welcome tour): no overlay over the pictures
mkdir -p "$SIGNSTUDIO_CONFIG_DIR/SignStudio"
printf '[General]\nwelcome_done=true\n' >"$SIGNSTUDIO_CONFIG_DIR/SignStudio/SignStudio.ini"
# every picture: the same window size and the light look
LOOK=(--size 1400x860 --theme light --quit)

# The Files panel lists the built-in corpus once it is built (seconds when it already is).
signstudio corpus build >/dev/null

# ---- the studio at first start: "hello" in ASL, the lookup model's signing beside its reference
SIGNSTUDIO_AUTOSAVE_DIR="$WORK/autosave-overview" \
  signstudio app "${LOOK[@]}" --frame 40 --screenshot "$OUT/overview.png"

# ---- prompt mode: the text and the sign language read out of a request
SIGNSTUDIO_AUTOSAVE_DIR="$WORK/autosave-prompt" \
  signstudio app --text "How do I sign 'water' in German Sign Language?" --prompt --model lookup \
  "${LOOK[@]}" --frame 30 --screenshot "$OUT/prompt-mode.png"

# ---- linguist: nar-kd's "every" (an ASL test word it never trained on) against its reference, on
# frame 53, where its hand is furthest off
SIGNSTUDIO_AUTOSAVE_DIR="$WORK/autosave-linguist" \
  signstudio app --text every --lang ase --model nar-kd --reference side-by-side --timing own-clock \
  --panel Metrics "${LOOK[@]}" --frame 53 --screenshot "$OUT/linguist-compare.png"
# three models of the same word beside its reference, one column of scores per model
SIGNSTUDIO_AUTOSAVE_DIR="$WORK/autosave-compare" \
  signstudio app --text hello --lang ase --model lookup --compare nar-kd diffusion \
  "${LOOK[@]}" --frame 40 --screenshot "$OUT/models-compare.png"
# the reference as a ghost, time-warped onto the generated timing, joints coloured by their error
SIGNSTUDIO_AUTOSAVE_DIR="$WORK/autosave-linguist" \
  signstudio app --text every --lang ase --model nar-kd --reference ghost --timing warped --heat \
  --panel Metrics "${LOOK[@]}" --frame 53 --screenshot "$OUT/linguist-ghost-heat.png"
# two files you already have: one opened, the other as its reference
signstudio generate --text water --lang gsg --model nar-kd --out "$WORK/water-nar-kd.npz" >/dev/null
signstudio generate --text water --lang gsg --model lookup --out "$WORK/water-lookup.npz" >/dev/null
SIGNSTUDIO_AUTOSAVE_DIR="$WORK/autosave-files" \
  signstudio app "$WORK/water-nar-kd.npz" --gt "$WORK/water-lookup.npz" --timing warped \
  --panel Metrics "${LOOK[@]}" --frame 40 --screenshot "$OUT/linguist-files.png"

# a split's predictions scored against its references: nar-kd signs PHOENIX14T's five dev sentences
# (keys kept, so they pair with dev.skels by key), the Dataset panel sorted worst dtw-mje first
PT=tests/data/phoenix14t-pt
signstudio generate --text-file "$PT/dev.text" --files "$PT/dev.files" --lang gsg --model nar-kd \
  --out "$WORK/dev-nar-kd.skels" >/dev/null
# (its own data folder: the dataset index and the pair-score cache stay out of yours)
SIGNSTUDIO_AUTOSAVE_DIR="$WORK/autosave-dataset" SIGNSTUDIO_DATA_DIR="$WORK/data-dataset" \
  signstudio app "$WORK/dev-nar-kd.skels" --gt "$PT/dev.skels" --sort dtw-mje:desc \
  "${LOOK[@]}" --screenshot "$OUT/dataset-scores.png"

# ---- teacher: "hello" on the avatar, mirrored for a left-handed class, at half speed, looping
SIGNSTUDIO_AUTOSAVE_DIR="$WORK/autosave-teacher" \
  signstudio app --text hello --lang ase --model lookup --mirror --body both --speed 0.5 --loop \
  --panel Files "${LOOK[@]}" --frame 30 --screenshot "$OUT/teacher-avatar.png"

# ---- annotator: two keyframes, a flagged frame, the right wrist dragged up between the keyframes
SIGNSTUDIO_AUTOSAVE_DIR="$WORK/autosave-annotator" \
  signstudio app --text would --lang ase --model nar-kd --reach keyframes --keyframe 31 --keyframe 93 \
  --flag 82 --frame 62 --drag "right wrist" -48 -54 --panel History "${LOOK[@]}" \
  --screenshot "$OUT/annotator-correct.png"
# the next start: the unsaved correction (autosaved when the studio closed) is offered back
SIGNSTUDIO_AUTOSAVE_DIR="$WORK/autosave-annotator" \
  signstudio app --text would --lang ase --model nar-kd "${LOOK[@]}" --frame 62 \
  --screenshot "$OUT/annotator-recovery.png"

# ---- your lexicon: a recording added as a sign, then a sentence signed with the lexicon's signs.
# Stand-ins (packaging/guide_lexicon.py): no installable package ships lexical signs, so real
# recordings of ASL letters play the signs WATER (W), BREAD (B) and THANK-YOU (T).
"$PY" packaging/guide_lexicon.py "$WORK"
# a recording opened, frames 2-22 marked (I, O), Lexicon → Add to lexicon… as WATER, "water"
SIGNSTUDIO_AUTOSAVE_DIR="$WORK/autosave-lexicon" \
  signstudio app "$WORK/water.pose" --lexicon "$WORK/lexicon" --mark 2 22 --add-to-lexicon WATER water \
  --panel Lexicon "${LOOK[@]}" --screenshot "$OUT/lexicon-add.png"
# the teacher's sentence: the words the lexicon knows come out as its signs, "and" is spelled
SIGNSTUDIO_AUTOSAVE_DIR="$WORK/autosave-lexicon" \
  signstudio app --text "water and bread" --lang ase --model lookup --lexicon "$WORK/lexicon" \
  --panel Lexicon "${LOOK[@]}" --frame 30 --screenshot "$OUT/lexicon-sentence.png"

echo "guide pictures written to $OUT/"
