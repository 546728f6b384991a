"""The runner: request -> response off the caller's thread; cancel, stale, errors as messages."""

import threading
import time

import numpy as np
import pytest

from signstudio.modeling import registry
from signstudio.modeling.base import ModelInfo, SignModel
from signstudio.pose.sequence import PoseSequence
from signstudio.pose.skeleton import get_layout
from signstudio.runner.service import GenerateRequest, GenerateResponse, Runner, extract_request

TIMEOUT = 30


class Gate(SignModel):
    """A test model that signs one still frame per text once ``release`` is set (cancel is
    checked every 5 ms while it waits)."""

    def __init__(self, model_id: str = "gate", device: str = "cpu") -> None:
        self.info = ModelInfo(model_id, model_id.title(), "a test model", ("ase", "gsg"))
        self.device = device
        self.release = threading.Event()
        self.started = threading.Event()
        self.calls: list[tuple[list[str], str]] = []

    def generate(self, texts, lang, *, progress=None, cancel=None, **options):
        self.check_language(lang)
        self.calls.append((list(texts), lang))
        if options.get("boom"):
            raise RuntimeError("boom\nand a second line")
        self.started.set()
        progress(0.5, "waiting")
        while not self.release.wait(0.005):
            cancel.raise_if_cancelled()
        skel = get_layout("upper50")
        meta = {"text": texts[0], "sign_language": lang, "reference_kind": "generated", "model": self.id}
        return [PoseSequence(np.zeros((3, 50, 3)), np.ones((3, 50)), 25, skel, meta)]


class Recorder:
    """Collects on_progress / on_done calls from the worker thread."""

    def __init__(self) -> None:
        self.progress: list[tuple[int, float, str]] = []
        self.done: list[GenerateResponse] = []
        self.finished = threading.Event()

    def on_progress(self, request_id, fraction, message):
        self.progress.append((request_id, fraction, message))

    def on_done(self, response):
        self.done.append(response)
        self.finished.set()


@pytest.fixture
def gates():
    """Two registered test models and a thread runner whose loader counts loads."""
    models = {"gate": Gate("gate"), "gate2": Gate("gate2")}
    loads: list[tuple[str, str]] = []

    def loader(model_id, device):
        loads.append((model_id, device))
        return models[model_id]

    for m in models.values():
        registry.register(m.info, lambda device, m=m: m)
    runner = Runner(isolation="thread", loader=loader)
    yield runner, models, loads
    for m in models.values():
        m.release.set()
    runner.shutdown()
    for m in models.values():
        registry.unregister(m.id)


def test_a_request_is_answered_on_another_thread(gates):
    runner, models, _ = gates
    rec = Recorder()
    models["gate"].release.set()
    threads = []
    rid = runner.submit(
        GenerateRequest("hi", "ase", model_id="gate"),
        lambda *a: (rec.on_progress(*a), threads.append(threading.current_thread())),
        rec.on_done,
    )
    assert rec.finished.wait(TIMEOUT)
    [resp] = rec.done
    assert resp.ok and resp.request_id == rid == runner.latest_id and runner.is_current(rid)
    assert resp.text == "hi" and resp.lang == "ase" and resp.sequence.meta["model"] == "gate"
    assert not resp.stale and not resp.cancelled and resp.error is None and resp.seconds > 0
    assert threading.main_thread() not in threads
    fractions = [f for _, f, _ in rec.progress]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert {i for i, _, _ in rec.progress} == {rid}
    assert rec.progress[0][2] == "loading model 'gate'"
    assert runner.wait(rid) is resp


def test_cancel_stops_the_running_request(gates):
    runner, models, _ = gates
    rec = Recorder()
    rid = runner.submit(GenerateRequest("hi", "ase", model_id="gate"), None, rec.on_done)
    assert models["gate"].started.wait(TIMEOUT)
    assert runner.cancel()
    assert rec.finished.wait(TIMEOUT)
    [resp] = rec.done
    assert resp.request_id == rid and resp.cancelled and not resp.stale
    assert resp.sequence is None and resp.error is None and not resp.ok
    assert not runner.cancel(rid)  # finished: nothing left to cancel


def test_a_newer_request_cancels_and_stales_the_older(gates):
    runner, models, _ = gates
    rec = Recorder()
    first = runner.submit(GenerateRequest("one", "ase", model_id="gate"), None, rec.on_done)
    assert models["gate"].started.wait(TIMEOUT)
    second = runner.submit(GenerateRequest("two", "ase", model_id="gate"), None, rec.on_done)
    third = runner.submit(GenerateRequest("three", "ase", model_id="gate"), None, rec.on_done)
    models["gate"].release.set()
    last = runner.wait(third, TIMEOUT)
    old = [runner.wait(first, TIMEOUT), runner.wait(second, TIMEOUT)]
    assert last.ok and not last.stale and last.sequence.meta["text"] == "three"
    for resp in old:
        assert resp.stale and resp.cancelled and resp.sequence is None
    assert not runner.is_current(first) and runner.latest_id == third
    assert sorted(r.request_id for r in rec.done) == [first, second, third]  # one on_done each
    assert [c[0] for c in models["gate"].calls] == [["one"], ["three"]]  # "two" never ran


def test_a_model_loads_once(gates):
    runner, models, loads = gates
    for m in models.values():
        m.release.set()
    for model_id in ("gate", "gate", "gate2", "gate"):
        for device in ("auto", "cpu"):
            assert runner.run(GenerateRequest("hi", "ase", model_id=model_id, device=device)).ok
    assert loads == [("gate", "cpu"), ("gate2", "cpu")]
    assert runner.loaded_models() == [("gate", "cpu"), ("gate2", "cpu")]


def test_errors_come_back_as_one_line(gates):
    runner, models, _ = gates
    models["gate"].release.set()

    def error(**kw):
        resp = runner.run(GenerateRequest(**kw))
        assert resp.sequence is None and not resp.cancelled and not resp.ok
        assert resp.error and "\n" not in resp.error
        return resp.error

    assert error(text="hi", lang="ase", model_id="nope").startswith("unknown model 'nope'; available:")
    assert error(text="hi", lang="fsl", model_id="gate").startswith("model 'gate' does not cover")
    assert error(text="hi", lang="ase", model_id="gate", options={"boom": True}) == (
        "RuntimeError: boom and a second line"
    )
    assert error(text="  ", lang="ase", model_id="gate").startswith("nothing to sign")
    assert error(text="?", lang="ase", model_id="gate", prompt_mode=True).startswith(
        "could not find the text to sign"
    )
    assert error(text="hi", lang="ase", model_id="gate", device="tpu").startswith("unknown device")


def test_a_failing_callback_does_not_kill_the_worker(gates):
    runner, models, _ = gates
    models["gate"].release.set()

    def bad(*_):
        raise ValueError("callback bug")

    rid = runner.submit(GenerateRequest("hi", "ase", model_id="gate"), bad, bad)
    assert runner.wait(rid, TIMEOUT).ok
    assert runner.run(GenerateRequest("hi", "ase", model_id="gate")).ok


def test_prompt_mode_reads_text_and_language(gates):
    runner, models, _ = gates
    models["gate"].release.set()
    prompt = "How do I sign 'water' in German Sign Language?"
    resp = runner.run(GenerateRequest(prompt, "ase", model_id="gate", prompt_mode=True))
    assert resp.ok and resp.text == "water" and resp.lang == "gsg" and resp.lang_from_prompt
    assert models["gate"].calls[-1] == (["water"], "gsg")
    # no language named: the request's language
    resp = runner.run(GenerateRequest("How do I sign 'water'?", "ase", model_id="gate", prompt_mode=True))
    assert resp.text == "water" and resp.lang == "ase" and not resp.lang_from_prompt
    # text mode takes the text as it is
    assert extract_request(GenerateRequest(prompt, "ase")).text == prompt


def test_shut_down_runner_refuses_requests():
    runner = Runner(isolation="thread")
    runner.shutdown()
    with pytest.raises(RuntimeError, match="shut down"):
        runner.submit(GenerateRequest("hi", "ase"))
    with pytest.raises(ValueError, match="isolation='thread'"):
        Runner(loader=lambda m, d: None)  # type: ignore[arg-type, return-value]


def test_real_generation_with_its_reference(tiny_corpus):
    with Runner(isolation="thread", corpus=tiny_corpus) as runner:
        rec = Recorder()
        rid = runner.submit(GenerateRequest("Hi!", "ase"), rec.on_progress, rec.on_done)
        resp = runner.wait(rid, TIMEOUT)
    assert resp.ok, resp.error
    seq, ref = resp.sequence, resp.reference
    assert seq.meta["model"] == "lookup" and seq.meta["reference_kind"] == "generated"
    assert seq.meta["text"] == "Hi!" and seq.meta["gloss"] == "ASE_H ASE_I" and resp.device == "cpu"
    assert ref.meta["reference_kind"] == "lexicon join" and ref.meta["gloss"] == "ASE_H ASE_I"
    assert ref.equals(tiny_corpus.word_sequence("ase", "hi", "holistic").replace(meta_update={}))
    messages = [m for _, _, m in rec.progress]
    assert "spelling 'hi'" in messages and "looking up the reference" in messages
    # a letter the alphabet lacks is left out and named (issue 18); nothing to spell is an error
    with Runner(isolation="thread", corpus=tiny_corpus) as runner:
        resp = runner.run(GenerateRequest("straße", "ase"))
        nothing = runner.run(GenerateRequest("ß", "ase"))
    assert resp.ok and any("not signed: ß" in note for note in resp.sequence.meta["notes"])
    assert nothing.error.startswith("nothing to sign in 'ß'") and nothing.reference is None


def test_the_model_process(tiny_corpus):
    """Default isolation: generation in a child process; cancel, stale and a crash handled."""
    with Runner(corpus=tiny_corpus) as runner:
        assert runner.isolation == "process"
        first = runner.run(GenerateRequest("hi", "ase"))
        assert first.ok, first.error
        assert first.sequence.meta["gloss"] == "ASE_H ASE_I" and first.reference.num_joints == 553

        rec = Recorder()
        old = runner.submit(GenerateRequest("one two six", "ase"), rec.on_progress, rec.on_done)
        deadline = time.monotonic() + TIMEOUT
        while not any(i == old for i, _, _ in rec.progress) and time.monotonic() < deadline:
            time.sleep(0.005)
        new = runner.submit(GenerateRequest("hi", "ase"), rec.on_progress, rec.on_done)
        stale, fresh = runner.wait(old, TIMEOUT), runner.wait(new, TIMEOUT)
        assert stale.stale and stale.cancelled and stale.sequence is None
        assert fresh.ok and not fresh.stale and fresh.sequence.equals(first.sequence)

        assert runner.run(GenerateRequest("42", "ase")).error.startswith("nothing to sign in '42'")

        # the child dies during a request (out of memory, a crash in native code ...)
        rec = Recorder()
        rid = runner.submit(GenerateRequest("one two six", "ase"), rec.on_progress, rec.on_done)
        deadline = time.monotonic() + TIMEOUT
        while not any(m.startswith("spelling") for _, _, m in rec.progress) and time.monotonic() < deadline:
            time.sleep(0.005)
        runner._host._proc.kill()
        crashed = runner.wait(rid, TIMEOUT)
        assert crashed.error.startswith("the model process stopped") and not crashed.ok
        again = runner.run(GenerateRequest("hi", "ase"))  # a new child
        assert again.ok and again.sequence.equals(first.sequence)


def test_shutdown_without_waiting_returns_at_once(gates):
    runner, models, _ = gates
    rec = Recorder()
    runner.submit(GenerateRequest("hi", "ase", model_id="gate"), None, rec.on_done)
    assert models["gate"].started.wait(TIMEOUT)
    t0 = time.perf_counter()
    runner.shutdown(wait=False)
    assert time.perf_counter() - t0 < 0.5
    assert rec.finished.wait(TIMEOUT) and rec.done[0].cancelled


def test_a_response_carries_the_dtw_alignment_with_its_reference() -> None:
    from signstudio.runner.service import GenerateRequest, Runner

    with Runner(isolation="thread") as runner:
        response = runner.run(GenerateRequest("hi", "ase"))
    assert response.ok and response.reference is not None
    alignment = response.alignment
    assert alignment is not None and alignment.score >= 0 and "DTW" in alignment.label.upper()
    assert alignment.path.shape[1] == 2
    assert alignment.path[-1].tolist() == [
        response.sequence.num_frames - 1,
        response.reference.num_frames - 1,
    ]


class Reading(Gate):
    """A test model that reads prompts itself: the text is what follows the last colon."""

    def __init__(self) -> None:
        super().__init__("reading")
        self.info = ModelInfo("reading", "Reading", "reads prompts", ("ase", "gsg"), reads_prompts=True)
        self.release.set()
        self.prompts: list[str] = []

    def read_prompt(self, prompt):
        self.prompts.append(prompt)
        text = prompt.rsplit(":", 1)[-1].strip()
        code = "gsg" if "DGS" in prompt else ("fsl" if "LSF" in prompt else None)
        return (text or None), code


def test_every_model_gets_the_same_prompt_reader():
    """Issue 21: a model with a prompt reader of its own is given the text and language the
    studio's reader found (the one the preview shows), and a language it lacks is offered to the
    models that cover it (one line, naming them)."""
    model = Reading()
    registry.register(model.info, lambda device: model)
    runner = Runner(isolation="thread", loader=lambda model_id, device: model)
    try:
        resp = runner.run(
            GenerateRequest("In DGS 'water' please: tea", "ase", model_id="reading", prompt_mode=True)
        )
        assert resp.ok and (resp.text, resp.lang, resp.lang_from_prompt) == ("water", "gsg", True)
        assert model.prompts == [] and model.calls[-1] == (["water"], "gsg")
        resp = runner.run(GenerateRequest("please sign tea", "ase", model_id="reading", prompt_mode=True))
        assert (resp.text, resp.lang, resp.lang_from_prompt) == ("tea", "ase", False)
        resp = runner.run(GenerateRequest("sign tea in LSF", "ase", model_id="reading", prompt_mode=True))
        assert not resp.ok and "\n" not in resp.error
        assert "does not cover French Sign Language (fsl)" in resp.error and "lookup" in resp.error
        resp = runner.run(GenerateRequest("how do you sign", "ase", model_id="reading", prompt_mode=True))
        assert not resp.ok and "could not find the text" in resp.error
    finally:
        runner.shutdown()
        registry.unregister("reading")
