"""Generation benchmark: latency per text for every registered model, and cached-vs-uncached decoding.

Used by ``signstudio bench --only generation [--quick]`` (`benchmarks.suite`). Like the other
benchmarks it reports ratios measured in the same run, never pass/fail times; torch runs on one
intra-op thread (one CPU core, as in the lifting benchmark):

* **Latency** — for each registered model that loads here, ``model.generate(texts, lang)`` on
  ``batch`` distinct real words of the built-in corpus (`signstudio.corpus.store.open_corpus`) of
  a sign language the model covers, at batch 1 (each word on its own) and at batch N (all words
  in one call); seconds per text (median of the repeats, after one warm-up call), and the batch
  gain = per-text latency at batch 1 / per-text latency at batch N. On the CPU always, and on CUDA
  only where ``torch.cuda.is_available()`` (torch models only: the others run on the CPU whatever
  was asked). The models generate as they would in the studio: each stops where its own output
  ends (for ``signllm-mlsf``, the predicted counter, or ``max_frames``), so the
  frames per text are reported too.
* **Decoding** — for ``signllm-mlsf``: `LanguageChannel.generate` with its key/value cache
  (``use_cache=True``) against its own uncached path (``use_cache=False``: the decoder re-run over
  the whole prefix at every step), on the same encoded inputs and the same number of frames
  (``frames``, forced: the stop counter is set out of reach for the measurement, so neither stops
  early), cached and uncached runs interleaved; speed-up = uncached / cached median seconds, and the
  largest difference between the two outputs (they must decode the same frames).
* **A split** — real PHOENIX14T sentences (``tests/data/phoenix14t-pt/*.text``, German, DGS) signed
  by ``nar-kd`` (else ``mean``) two ways, each a fresh ``signstudio`` process as a user runs them:
  one ``signstudio generate --text-file`` for all of them (one model load, batches), against one
  ``signstudio generate --text`` process per sentence; sentences per second of each (wall time,
  start-up included) and the ratio.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

#: (full, quick) settings
SETTINGS: dict[str, dict[str, int]] = {
    "full": {"batch": 32, "repeats": 5, "frames": 100, "decode_repeats": 3, "sentences": 15},
    "quick": {"batch": 8, "repeats": 2, "frames": 100, "decode_repeats": 2, "sentences": 3},
}
PT_SAMPLE = Path(__file__).resolve().parents[1] / "tests" / "data" / "phoenix14t-pt"
PREFERRED_LANGS = ("ase", "gsg")
MLSF_ID = "signllm-mlsf"


def corpus_words(lang: str, count: int) -> list[str]:
    """``count`` distinct real words of the built-in corpus for ``lang`` (test split first)."""
    from signstudio.corpus.store import open_corpus

    words = open_corpus(quiet=True).words(lang)
    ordered = [w.text for w in words if w.split == "test"] + [w.text for w in words if w.split != "test"]
    out = list(dict.fromkeys(t for t in ordered if t.strip()))[:count]
    if len(out) < count:
        raise RuntimeError(f"the corpus has only {len(out)} distinct {lang} words, {count} needed")
    return out


def pick_language(languages: Sequence[str]) -> str:
    for lang in PREFERRED_LANGS:
        if lang in languages:
            return lang
    return sorted(languages)[0]


def torch_available() -> bool:
    return importlib.util.find_spec("torch") is not None


def cuda_available() -> bool:
    if not torch_available():
        return False
    import torch

    return bool(torch.cuda.is_available())


def _sync(device: str) -> None:
    if device.startswith("cuda"):
        import torch

        torch.cuda.synchronize()


def median_seconds(fn: Callable[[], Any], repeats: int, device: str) -> tuple[float, Any]:
    """Median wall seconds of ``repeats`` calls of ``fn`` after one warm-up call; and its last result."""
    result = fn()
    _sync(device)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        _sync(device)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def latency_row(model: Any, lang: str, words: list[str], device: str, repeats: int) -> dict[str, Any]:
    """Seconds per text at batch 1 (one word per call) and batch N (every word in one call)."""
    n = len(words)

    def batch1() -> list[Any]:
        return [model.generate([w], lang)[0] for w in words]

    def batchn() -> list[Any]:
        return list(model.generate(words, lang))

    s1, out1 = median_seconds(batch1, repeats, device)
    sn, outn = median_seconds(batchn, repeats, device)
    per1, pern = s1 / n, sn / n
    return {
        "model": model.id,
        "lang": lang,
        "device": device,
        "texts": n,
        "batch_1": {"batch": 1, "calls": n, "seconds": s1, "per_text_s": per1},
        "batch_n": {"batch": n, "calls": 1, "seconds": sn, "per_text_s": pern},
        "batch_gain": per1 / pern if pern > 0 else math.inf,
        "mean_frames_batch_1": statistics.fmean(len(s) for s in out1),
        "mean_frames_batch_n": statistics.fmean(len(s) for s in outn),
    }


@contextmanager
def forced_length(channel: Any) -> Iterator[None]:
    """Decode exactly ``max_frames`` frames: the stop counter out of reach while inside."""
    saved = channel.cfg
    channel.cfg = dataclasses.replace(saved, stop_counter=math.inf)
    try:
        yield
    finally:
        channel.cfg = saved


def decoding_speedup(
    model: Any, lang: str, words: list[str], device: str, frames: int, repeats: int
) -> dict[str, Any]:
    """Cached vs uncached `LanguageChannel.generate` on the same inputs, ``frames`` frames each."""
    import torch

    from signstudio.modeling.data import encode_texts

    ids_np, mask_np = encode_texts(words, model.vocabs[lang])
    ids = torch.from_numpy(ids_np).to(device)
    mask = torch.from_numpy(mask_np).to(device)
    channel = model.model.channel(lang)
    frames = min(frames, channel.cfg.max_frames)

    def decode(use_cache: bool) -> list[Any]:
        with torch.inference_mode():
            return list(channel.generate(ids, mask, max_frames=frames, use_cache=use_cache))

    times: dict[bool, list[float]] = {True: [], False: []}
    outs: dict[bool, list[Any]] = {}
    with forced_length(channel):
        for use_cache in (True, False):  # warm-up
            decode(use_cache)
            _sync(device)
        for _ in range(repeats):
            for use_cache in (True, False):  # interleaved, so both see the same machine state
                t0 = time.perf_counter()
                outs[use_cache] = decode(use_cache)
                _sync(device)
                times[use_cache].append(time.perf_counter() - t0)
    lengths = {len(o) for o in outs[True]} | {len(o) for o in outs[False]}
    diff = max(float((a - b).abs().max()) for a, b in zip(outs[True], outs[False], strict=True))
    cached, uncached = statistics.median(times[True]), statistics.median(times[False])
    return {
        "model": model.id,
        "lang": lang,
        "device": device,
        "batch": len(words),
        "frames": frames,
        "frames_decoded": sorted(lengths),
        "cached_s": cached,
        "uncached_s": uncached,
        "speedup": uncached / cached if cached > 0 else math.inf,
        "max_abs_diff": diff,
        "repeats": repeats,
    }


def run(quick: bool = False) -> dict[str, Any]:
    """The benchmark's result dict (``name`` = ``generation``); see the module docstring."""
    from signstudio.modeling.registry import available_models, load_model

    cfg = SETTINGS["quick" if quick else "full"]
    gpu = cuda_available()
    devices = ["cpu", "cuda"] if gpu else ["cpu"]
    result: dict[str, Any] = {
        "name": "generation",
        "what": "generation latency per text, batch 1 vs batch N, and cached vs uncached decoding",
        "batch": cfg["batch"],
        "repeats": cfg["repeats"],
        "devices": devices,
        "gpu": _gpu_name() if gpu else "no GPU here",
        "rows": [],
        "skipped": [],
        "decoding": [],
    }
    with one_torch_thread() as threads:
        result["torch_threads"] = threads
        for info in available_models():
            _bench_model(info, load_model, devices, cfg, result)
    result["split"] = split_generation(cfg["sentences"])
    return result


@contextmanager
def one_torch_thread() -> Iterator[int | None]:
    """torch on one intra-op thread while inside (as the lifting benchmark: one CPU core; tiny
    per-step ops on a small shared machine are otherwise dominated by thread oversubscription)."""
    if not torch_available():
        yield None
        return
    import torch

    saved = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield torch.get_num_threads()
    finally:
        torch.set_num_threads(saved)


def _bench_model(
    info: Any, load_model: Callable[..., Any], devices: list[str], cfg: dict[str, int], result: dict[str, Any]
) -> None:
    """Append one model's latency rows (and, for signllm-mlsf, decoding rows) to ``result``."""
    lang = pick_language(info.languages)
    words = corpus_words(lang, cfg["batch"])
    for device in devices:
        if device != "cpu" and not info.needs_torch:
            result["skipped"].append(
                {"model": info.id, "device": device, "reason": "no torch: runs on the CPU only"}
            )
            continue
        try:
            model = load_model(info.id, device=device)
        except Exception as exc:  # a model that does not load here is reported, not fatal
            result["skipped"].append({"model": info.id, "device": device, "reason": str(exc)})
            continue
        try:
            result["rows"].append(latency_row(model, lang, words, device, cfg["repeats"]))
            if info.id == MLSF_ID:
                for batch_words in (words[:1], words):
                    result["decoding"].append(
                        decoding_speedup(
                            model, lang, batch_words, device, cfg["frames"], cfg["decode_repeats"]
                        )
                    )
        finally:
            model.close()


def split_generation(count: int) -> dict[str, Any]:
    """``count`` real PHOENIX14T sentences: one batch process against one process per sentence."""
    from signstudio.modeling.base import text_limit
    from signstudio.modeling.registry import available_models

    texts = [
        line.strip()
        for name in ("dev", "test", "train")
        for line in (PT_SAMPLE / f"{name}.text").read_text(encoding="utf-8").splitlines()
    ][:count]
    model = "nar-kd" if "nar-kd" in {m.id for m in available_models()} else "mean"
    # Both routes sign the same texts, each within what the model signs (`generate --text`
    # refuses a longer one): a sentence over the limit is cut at its last whole word.
    limit = text_limit(model).chars
    texts = [t if len(t) <= limit else t[: limit + 1].rsplit(" ", 1)[0] for t in texts]
    command = [sys.executable, "-m", "signstudio.cli.main", "generate", "--lang", "gsg", "--model", model]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    with tempfile.TemporaryDirectory() as tmp:
        sentences = Path(tmp) / "sentences.text"
        sentences.write_text("\n".join(texts) + "\n", encoding="utf-8")
        start = time.perf_counter()
        out = Path(tmp) / "batch.skels"
        subprocess.run([*command, "--text-file", str(sentences), "--out", str(out)], check=True, env=env,
                       capture_output=True)  # fmt: skip
        batch_s = time.perf_counter() - start
        start = time.perf_counter()
        for i, text in enumerate(texts):
            one = Path(tmp) / f"one{i}.skels"
            subprocess.run(
                [*command, "--text", text, "--out", str(one)], check=True, env=env, capture_output=True
            )
        single_s = time.perf_counter() - start
    return {
        "model": model,
        "sentences": len(texts),
        "batch_s": batch_s,
        "per_sentence_processes_s": single_s,
        "batch_sentences_per_s": len(texts) / batch_s,
        "per_sentence_sentences_per_s": len(texts) / single_s,
        "speedup": single_s / batch_s,
    }


def _gpu_name() -> str:
    import torch

    return str(torch.cuda.get_device_name(0))


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:10.2f} ms"


def format_table(r: dict[str, Any]) -> str:
    """A readable table of a `run` result."""
    n = r["batch"]
    lines = [
        f"generation: {r['what']}",
        f"  {n} distinct real corpus words per model; median of {r['repeats']} runs after a warm-up;"
        f" torch threads {r.get('torch_threads', '-')}",
        f"  GPU: {r['gpu']}" + ("" if "cuda" in r["devices"] else " (CPU rows only)"),
        f"  {'model':<14} {'lang':<5} {'device':<6} {'batch 1 /text':>15} {f'batch {n} /text':>15}"
        f" {'batch gain':>11} {'frames/text':>12}",
    ]
    for row in r["rows"]:
        lines.append(
            f"  {row['model']:<14} {row['lang']:<5} {row['device']:<6}"
            f" {_ms(row['batch_1']['per_text_s']):>15} {_ms(row['batch_n']['per_text_s']):>15}"
            f" {row['batch_gain']:>10.1f}x {row['mean_frames_batch_n']:>12.1f}"
        )
    for skip in r["skipped"]:
        lines.append(f"  {skip['model']:<14} {'':<5} {skip['device']:<6} skipped: {skip['reason']}")
    if r["decoding"]:
        d0 = r["decoding"][0]
        lines.append(
            f"  decoding ({d0['model']}, {d0['lang']}): KV cache vs the uncached path (whole prefix"
            f" re-run each step), {d0['frames']} frames forced, same inputs"
        )
        lines.append(
            f"  {'device':<6} {'batch':>6} {'cached':>13} {'uncached':>13} {'speed-up':>9} {'max |diff|':>11}"
        )
        for d in r["decoding"]:
            lines.append(
                f"  {d['device']:<6} {d['batch']:>6} {_ms(d['cached_s'])} {_ms(d['uncached_s'])}"
                f" {d['speedup']:>8.1f}x {d['max_abs_diff']:>11.1e}"
            )
    else:
        lines.append(f"  decoding: skipped ({MLSF_ID} is not registered or did not load here)")
    split = r.get("split")
    if split:
        lines.append(
            f"  a split ({split['sentences']} real PHOENIX14T sentences, {split['model']}, gsg, CPU, start-up"
            f" included): generate --text-file {split['batch_sentences_per_s']:.2f} sentences/s"
            f" ({split['batch_s']:.1f} s) vs one generate --text process per sentence"
            f" {split['per_sentence_sentences_per_s']:.2f} sentences/s"
            f" ({split['per_sentence_processes_s']:.1f} s):"
            f" {split['speedup']:.1f}x"
        )
    return "\n".join(lines)
