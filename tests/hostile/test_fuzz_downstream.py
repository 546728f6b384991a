"""The downstream fuzz (`tests.hostile.fuzz_downstream`) in small: ~40 mutations per reader
family, every accepted file summarised, validated, mirrored, drawn and written as .pose and .bvh;
every rejection one line with a place and no library text. The full run (>= 2000 per family, with
app screenshots) is ``python -m tests.hostile.fuzz_downstream --per-family 2000 --app-sample 20``."""

from __future__ import annotations

import os
import shutil

from tests.hostile.fuzz_downstream import FAMILIES, run

PER_FAMILY = int(os.environ.get("SIGNSTUDIO_FUZZ_DOWNSTREAM", "40"))


def test_fuzz_every_family_downstream() -> None:
    lines: list[str] = []
    # app screenshots take ~8 s each: on request (the hostile CLI test opens the cases in the app)
    app = (
        int(os.environ.get("SIGNSTUDIO_FUZZ_APP", "0"))
        if os.environ.get("DISPLAY") or shutil.which("xvfb-run")
        else 0
    )
    tallies = run(PER_FAMILY, app_sample=app, seed="ci", log=lines.append)
    assert set(tallies) == set(FAMILIES)
    for family, t in tallies.items():
        assert t.mutations == PER_FAMILY, family
        assert t.rejected + t.accepted == t.mutations, family
        bad = {
            k: getattr(t, k) for k in ("crashes", "library_text", "no_place", "bad_message", "app_failures")
        }
        assert not any(bad.values()), f"{family}: {bad}\n" + "\n".join(t.examples)
    # the mutations reach both sides: some files are refused, some read and are used downstream
    assert sum(t.rejected for t in tallies.values()) > 0
    assert sum(t.accepted for t in tallies.values()) > 0
