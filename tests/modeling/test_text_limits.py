"""Issue 18 item 8: every model has a documented text limit, checked before any work; characters a
model has no unit for are named and never signed; lookup is linear in the text."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from signstudio.modeling.base import (
    TEXT_LIMITS,
    ModelError,
    TextTooLongError,
    text_length_problem,
    text_limit,
)
from signstudio.modeling.registry import available_models, load_model
from signstudio.modeling.text.coverage import alphabet_rule, signable_text, vocab_rule

ROOT = Path(__file__).resolve().parents[2]
NEURAL = ("nar-kd", "diffusion", "signllm-mlsf", "signllm-p2lg")
WAVE = "\U0001f44b"
SHIPPED = {m.id for m in available_models()}


def test_every_registered_model_has_a_limit_and_its_reason():
    for info in available_models():
        limit = text_limit(info.id)
        family = info.id.partition("@")[0]  # checkpoints other tests registered: their family's
        assert limit is TEXT_LIMITS[family]  # a family of its own, not the general fallback
        assert limit.chars > 0 and len(limit.reason) > 20
    assert text_limit("nar-kd@/some/run/best.pt") is TEXT_LIMITS["nar-kd"]  # a user checkpoint


def test_the_message_is_one_line_with_the_remedy():
    problem = text_length_problem("x" * 10_000, "lookup")
    assert problem == "text has 10 000 characters; lookup signs at most 3 000 (split it into several runs)"
    assert text_length_problem("x" * 3000, "lookup") is None
    assert "reads prompts of at most 246" in str(text_length_problem("x" * 300, "nar-kd", prompt=True))
    assert text_length_problem("sign 'hello' in ASL", "nar-kd", prompt=True) is None


def test_the_shared_rule():
    found = signable_text(
        f"Hello, world {WAVE}! 42 isn't", "ase", alphabet_rule("abcdefghijklmnopqrstuvwxyz")
    )
    assert found.text == "hello world isnt"  # punctuation separates, never named
    assert found.dropped == (WAVE, "4", "2")
    assert found.note == f"not signed: {WAVE}, 4, 2 (no sign or letter for them in American Sign Language)"
    # a vocabulary reads an accented letter it lacks as its base letter, drops what it has not at all
    assert signable_text("Café ß", "gsg", vocab_rule("abcdefghijklmnopqrstuvwxyz")).text == "cafe"
    with pytest.raises(ModelError, match=f"nothing to sign in '{WAVE}': not signed: {WAVE}"):
        signable_text(WAVE, "ase", vocab_rule("abc"))


@pytest.fixture(scope="module")
def lookup():
    return load_model("lookup")


def test_lookup_names_what_it_cannot_sign(lookup):
    [hello] = lookup.generate(["hello"], "ase")
    [waved] = lookup.generate([f"hello {WAVE}"], "ase")
    assert waved.equals(hello)  # nothing signed for the emoji
    assert waved.meta["notes"] == [f"not signed: {WAVE} (no sign or letter for it in American Sign Language)"]
    assert waved.meta["text"] == f"hello {WAVE}"
    with pytest.raises(ModelError, match=f"nothing to sign in '{WAVE}'"):
        lookup.generate([WAVE], "ase")


def test_lookup_refuses_over_its_limit_before_any_work(lookup):
    seen = []
    with pytest.raises(TextTooLongError, match="text has 3 001 characters; lookup signs at most 3 000"):
        lookup.generate(["hi", "a" * 3001], "ase", progress=lambda f, m: seen.append(m))
    assert seen == [] and lookup.max_text_chars == 3000


@pytest.mark.parametrize("model_id", NEURAL)
def test_neural_models_refuse_cut_and_emoji(model_id):
    if model_id not in SHIPPED:
        pytest.skip(f"{model_id} has no shipped checkpoint here")
    model = load_model(model_id, device="cpu")
    options = {"steps": 5, "seed": 0} if model_id == "diffusion" else {}
    # the limit is what the checkpoint's encoder reads: beyond it a text would have been cut
    width = model.cfg.max_text - 2  # type: ignore[attr-defined]
    assert model.max_text_chars == width == text_limit(model_id).chars
    # beyond it (a batch reaches generate without the CLI's check): the part it reads, said so
    words = " ".join(["hello"] * 20)  # 119 characters
    [cut] = model.generate([words], "ase", **options)
    kept = " ".join(["hello"] * (width // 6))
    assert cut.meta["notes"] == [
        f"signed only {kept!r}: the first {len(kept)} of 119 characters ({model_id} reads at most {width})"
    ]
    with pytest.raises(ModelError, match=f"nothing to sign in '{WAVE}': not signed: {WAVE}"):
        model.generate([WAVE], "ase", **options)
    [hello] = model.generate(["hello"], "ase", **options)
    [waved] = model.generate([f"hello {WAVE}"], "ase", **options)
    assert waved.equals(hello, atol=1e-5)  # the emoji changes nothing: no invented signing
    assert waved.meta["notes"] == [f"not signed: {WAVE} (no sign or letter for it in American Sign Language)"]
    assert "notes" not in hello.meta


def _run(args: list[str]) -> tuple[int, str, float]:
    """rc, output and wall seconds of ``args`` in a child."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    t0 = time.perf_counter()
    proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    _, status, _ = os.wait4(proc.pid, 0)  # the output is a line or two: the pipe cannot fill
    seconds = time.perf_counter() - t0
    assert proc.stdout is not None
    return os.waitstatus_to_exitcode(status), proc.stdout.read(), seconds


def test_cli_refuses_a_long_text_before_the_model_loads(tmp_path):
    out = tmp_path / "o.pose"
    text = "a" * 10_000
    cmd = [sys.executable, "-m", "signstudio.cli.main", "generate", "--text", text, "--out", str(out)]
    rc, output, seconds = _run(cmd)
    assert rc == 2 and not out.exists()
    assert output.strip().splitlines() == [
        "error: text has 10 000 characters; lookup signs at most 3 000 (split it into several runs)"
    ]
    assert seconds < 10  # nothing loaded: the lookup model alone takes seconds


SIGN_ONE = """
import sys, time
sys.path.insert(0, {root!r})
from benchmarks.long_text import long_text
from signstudio.modeling.registry import load_model
model = load_model("lookup")
model.generate(["hello"], "ase")
text = long_text({chars})
t0 = time.perf_counter()
[seq] = model.generate([text], "ase")
seconds = time.perf_counter() - t0
# the child's own peak (VmHWM, KiB): wait4's ru_maxrss would count the forked copy of pytest
peak = [line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM")][0]
print(len(text), seq.num_frames, seconds, peak)
"""


@pytest.mark.slow
def test_lookup_signs_3000_characters_in_linear_time_and_bounded_memory(tmp_path):
    runs = {}
    for chars in (300, 3000):
        log = tmp_path / f"{chars}.txt"
        with log.open("w") as sink:  # a file, not a pipe: nothing blocks while we wait4
            proc = subprocess.Popen(
                [sys.executable, "-c", SIGN_ONE.format(root=str(ROOT), chars=chars)],
                env=dict(os.environ, PYTHONPATH=str(ROOT)),
                stdout=sink,
                stderr=subprocess.STDOUT,
            )
            status = proc.wait()
        output = log.read_text()
        assert status == 0, output[-2000:]
        _, frames, seconds, peak_kib = output.split()[-4:]
        runs[chars] = (int(frames), float(seconds), int(peak_kib) / 1024)
    (f300, t300, _), (f3000, t3000, m3000) = runs[300], runs[3000]
    assert 8 * f300 < f3000 < 12 * f300  # ten times the text, about ten times the frames
    # linear: about 10x the time for 10x the text (before: a pass over every frame per letter);
    # quadratic would be 100x. Generous for a loaded 2-core machine.
    assert t3000 < 30 * t300, runs
    assert t3000 < 240, runs
    # MB, the child's own peak: 1.5 GB measured at 3 000 characters (pose-format's float64
    # frames); before: 1.8 GB
    assert m3000 < 2500, runs


def test_the_studio_refuses_a_long_text_before_submitting():
    from signstudio.runner.service import Runner
    from signstudio.session.controller import MemoryPrefs, StudioController
    from signstudio.session.studio import StudioState

    class Port:  # the real Runner behind the controller's RunnerPort, counting submissions
        def __init__(self, runner: Runner) -> None:
            self.runner, self.submitted = runner, 0

        def submit(self, request):
            self.submitted += 1
            return self.runner.submit(request, None, lambda r: None)

        def cancel(self) -> bool:
            return self.runner.cancel()

        def is_current(self, response) -> bool:
            return self.runner.is_current(response.request_id)

    runner = Runner(isolation="thread")
    try:
        port = Port(runner)
        controller = StudioController(StudioState(), port, MemoryPrefs())  # type: ignore[arg-type]
        finished = []
        controller.generation_finished.connect(finished.append)
        assert controller.generate("a" * 50, "ase", "nar-kd") == -1
        assert port.submitted == 0 and controller.pending is None
        [answer] = finished
        assert not answer.ok
        assert answer.error == "text has 50 characters; nar-kd signs at most 46 (split it into several runs)"
    finally:
        runner.shutdown()
