"""Fuzz every reader family, then use what was accepted the way the studio does.

    python -m tests.hostile.fuzz_downstream --per-family 2000 [--app-sample 20] [--seed 0]

Each mutation starts from a valid file of its family written from real data (a lexicon
recording; the pose-format test files; a Phoenix14T sequence) and changes 1-4 things: random
bytes (flip, set, truncate, delete, insert, duplicate) or, for the families that store a
skeleton as JSON (our ``.npz`` and ``.h5``), one field of that skeleton (a limb, link or mirror
index out of range or negative, a self-loop, a repeated name, a wrong type). Then:

* read fails: the `FormatError` must be one line, name the file, name a place (``(at ...)``) and
  hold no library text (exception class names, "codec", "struct", "unpack" ...);
* read succeeds: for each sequence, `summary`, `validate_skeleton`, `transforms.mirror`, the
  display geometry of every frame (what the viewport and the renderer draw), a `.pose` and a
  `.bvh` written into a tmp folder (a writer may refuse with a clean `FormatError`, nothing else);
  for ``--app-sample`` accepted files, ``signstudio app FILE --screenshot --quit`` in a
  subprocess (under xvfb-run when there is no display): exit 0 or one line with exit 2.

Any other exception is a crash; the counts per family are printed, and the first examples of
every kind of failure (with the mutated file kept under ``--keep``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from signstudio.pose.errors import WHOLE_FILE, FormatError

#: Library text in a message (the brief's regexes and `errors.LIBRARY_TEXT`).
LIBRARY = re.compile(r"\w*Error:|\w*Error\b|\berror:|codec|\bstruct\b|unpack|BadZipFile|Traceback|\[Errno")
REPO = Path(__file__).resolve().parents[2]
FAMILIES = (
    "pose", "pt-skels", "p2s-legacy", "p2s-2025", "h5", "h5-p2s", "npz", "amass", "bvh", "openpose",
)  # fmt: skip
#: The registry's format for each family (forced on a quarter of the reads; None = detect).
FORMAT_OF = {"h5-p2s": "h5"}


# ---- samples ----------------------------------------------------------------------------------


def _openpose_folder(folder: Path, clip: object) -> Path:
    from signstudio.pose import convert

    folder.mkdir()
    up = convert.convert(clip, "upper50")  # type: ignore[arg-type]
    for t in range(up.num_frames):
        xyc = np.concatenate([up.data[t, :, :2], up.confidence[t][:, None]], axis=1)
        body = np.zeros((25, 3))
        body[:8] = xyc[:8]
        person = {"pose_keypoints_2d": body.ravel().tolist(), "face_keypoints_2d": [],
                  "hand_left_keypoints_2d": xyc[8:29].ravel().tolist(),
                  "hand_right_keypoints_2d": xyc[29:50].ravel().tolist()}  # fmt: skip
        (folder / f"clip_{t:012d}_keypoints.json").write_text(
            json.dumps({"version": 1.3, "people": [person]})
        )
    return folder


def build_samples(root: Path) -> dict[str, list[Path]]:
    """Valid files (or folders) of every family, from real data, each read back once."""
    from signstudio.corpus.lexicon import lexicon_index
    from signstudio.pose.formats import read, read_one, write

    clip = read_one(lexicon_index()[0].path).frames(0, 4)
    out: dict[str, list[Path]] = {f: [] for f in FAMILIES}
    own = (("pt-skels", "pt.skels"), ("p2s-legacy", "legacy.skels"), ("p2s-2025", "p2s.skels"),
           ("h5", "ours.h5"), ("npz", "ours.npz"), ("pose", "clip.pose"), ("bvh", "clip.bvh"))  # fmt: skip
    for fmt, name in own:
        write(root / name, clip, format=None if fmt == "bvh" else fmt)
        out[fmt].append(root / name)
    write(root / "p2s.h5", clip, format="h5", variant="p2s-2d")
    out["h5-p2s"].append(root / "p2s.h5")
    for k, src in enumerate(sorted((REPO / "tests/data/pose-format").glob("*.pose"))):
        # the pose-format test files (openpose137 with its own names, a hand-only custom layout)
        seq = read_one(src).frames(0, 3)
        write(root / f"pf{k}.pose", seq)
        out["pose"].append(root / f"pf{k}.pose")
        write(root / f"pf{k}.npz", seq)
        out["npz"].append(root / f"pf{k}.npz")
    phoenix = read_one(REPO / "tests/data/phoenix14t-pt/dev.skels").frames(0, 4)
    write(root / "phoenix.skels", phoenix, format="pt-skels")
    out["pt-skels"].append(root / "phoenix.skels")
    write(root / "phoenix.bvh", phoenix)
    out["bvh"].append(root / "phoenix.bvh")
    rng = np.random.default_rng(0)
    np.savez(root / "amass.npz", poses=rng.normal(scale=0.2, size=(3, 165)), trans=np.zeros((3, 3)),
             betas=np.zeros(16), gender=np.array("male"), mocap_frame_rate=np.array(60.0))  # fmt: skip
    out["amass"].append(root / "amass.npz")
    out["openpose"].append(_openpose_folder(root / "openpose", clip))
    for paths in out.values():
        for path in paths:
            assert read(path), path
    return out


# ---- mutations --------------------------------------------------------------------------------


def mutate_bytes(rng: random.Random, original: bytes) -> bytes:
    data = bytearray(original)
    for _ in range(rng.randint(1, 4)):
        if not data:
            break
        op = rng.choice(["flip", "flip", "set", "truncate", "delete", "insert", "duplicate"])
        at = rng.randrange(len(data))
        if op == "flip":
            data[at] ^= 1 << rng.randrange(8)
        elif op == "set":
            data[at] = rng.choice([0, 0xFF, 0x7F, 0x80, rng.randrange(256)])
        elif op == "truncate":
            del data[at:]
        elif op == "delete":
            del data[at : at + rng.randint(1, 64)]
        elif op == "insert":
            data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 32)))
        else:
            data[at:at] = data[at : at + rng.randint(1, 256)]
    return bytes(data)


def _bad_index(rng: random.Random, size: int) -> int:
    return rng.choice([-1, -2, size, size + 1, 65535, 2**31, rng.randrange(-size - 1, 2 * size + 2)])


def mutate_skeleton(rng: random.Random, skel: dict) -> dict:
    """One field of a skeleton dict (`Skeleton.to_dict`) made hostile (or, rarely, left valid)."""
    comps = skel["components"]
    total = sum(len(c["points"]) for c in comps)
    c = rng.choice(comps)
    op = rng.choice(
        ["limb", "limb", "self", "link", "mirror", "mirror-swap", "name", "type", "group", "color"]
    )
    if op == "limb" and c["limbs"]:
        c["limbs"][rng.randrange(len(c["limbs"]))][rng.randrange(2)] = _bad_index(rng, len(c["points"]))
    elif op == "self" and c["limbs"]:
        limb = c["limbs"][rng.randrange(len(c["limbs"]))]
        limb[1] = limb[0]
    elif op == "link":
        skel.setdefault("links", []).append([rng.randrange(total), _bad_index(rng, total)])
    elif op == "mirror":
        skel["mirror"] = list(skel.get("mirror") or range(total))
        skel["mirror"][rng.randrange(total)] = _bad_index(rng, total)
    elif op == "mirror-swap":  # a map that is in range but not its own inverse
        m = list(skel.get("mirror") or range(total))
        i, j, k = (rng.randrange(total) for _ in range(3))
        m[i], m[j], m[k] = m[j], m[k], m[i]
        skel["mirror"] = m
    elif op == "name" and len(comps) > 1:
        comps[1]["name"] = comps[0]["name"]
    elif op == "type":
        key = rng.choice(["points", "limbs", "colors", "name"])
        c[key] = rng.choice([None, 7, "x", [[1.5, 2]], {"a": 1}])
    elif op == "group":
        c["group"] = rng.choice(["hands", "", "BODY"])
    else:
        c["colors"] = [[rng.choice([-1, 70000, 2**40]), 0, 0]]
    return skel


def mutate_npz(rng: random.Random, src: Path, dst: Path) -> None:
    with np.load(src, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    skel = mutate_skeleton(rng, json.loads(bytes(arrays["skeleton"].item()).decode()))
    arrays["skeleton"] = np.array(json.dumps(skel).encode())
    with open(dst, "wb") as fh:
        np.savez_compressed(fh, **arrays)


def mutate_h5(rng: random.Random, src: Path, dst: Path) -> None:
    import h5py

    shutil.copyfile(src, dst)
    with h5py.File(dst, "r+") as f:
        groups = [g for g in f.values() if "skeleton" in g.attrs]
        for g in groups[:1]:
            g.attrs["skeleton"] = json.dumps(mutate_skeleton(rng, json.loads(g.attrs["skeleton"])))


def make_mutation(rng: random.Random, family: str, src: Path, dst: Path) -> Path:
    """Write a mutation of ``src`` at ``dst`` (a folder for OpenPose); returns the path to read."""
    if family == "openpose":
        shutil.copytree(src, dst)
        frames = sorted(dst.iterdir())
        victim = frames[rng.randrange(len(frames))]
        victim.write_bytes(mutate_bytes(rng, victim.read_bytes()))
        return dst
    semantic = {"npz": mutate_npz, "h5": mutate_h5}.get(family)
    if semantic is not None and src.name.startswith(("ours", "pf")) and rng.random() < 0.5:
        semantic(rng, src, dst)
        return dst
    dst.write_bytes(mutate_bytes(rng, src.read_bytes()))
    return dst


# ---- checks -----------------------------------------------------------------------------------


@dataclass
class Tally:
    mutations: int = 0
    rejected: int = 0
    accepted: int = 0
    crashes: int = 0
    library_text: int = 0
    no_place: int = 0
    bad_message: int = 0  # not one line, or the file not named
    vague_place: int = 0  # place is "whole file" (reported, not a failure)
    app_runs: int = 0
    app_failures: int = 0
    examples: list[str] = field(default_factory=list)

    def bad(self) -> int:
        return self.crashes + self.library_text + self.no_place + self.bad_message + self.app_failures

    def note(self, text: str) -> None:
        if len(self.examples) < 5:
            self.examples.append(text)


def check_message(tally: Tally, path: Path, exc: FormatError, what: str) -> None:
    msg = str(exc)
    named = str(path.with_suffix("")) if path.is_file() else str(path)
    if "\n" in msg or not msg.strip() or named not in msg:
        tally.bad_message += 1
        tally.note(f"{what}: message not one line naming the file: {msg!r}")
    if LIBRARY.search(msg):
        tally.library_text += 1
        tally.note(f"{what}: library text: {msg}")
    if not exc.where and what == "read":
        tally.no_place += 1
        tally.note(f"{what}: no place: {msg}")
    elif exc.where in (None, WHOLE_FILE):  # a writer's refusal of the whole sequence
        tally.vague_place += 1


def downstream(seq: object, out: Path) -> list[tuple[str, FormatError]]:
    """Everything the studio does with a sequence it opened; the writers' clean refusals."""
    from signstudio.pose import transforms
    from signstudio.pose.formats import write
    from signstudio.pose.skeleton import validate_skeleton
    from signstudio.session.geometry import SkeletonGeometry

    json.dumps(seq.summary(), default=str)  # type: ignore[attr-defined]
    validate_skeleton(seq.skeleton, seq.num_joints)  # type: ignore[attr-defined]
    mirrored = transforms.mirror(seq)  # type: ignore[arg-type]
    assert np.array_equal(transforms.mirror(mirrored).confidence, seq.confidence)  # type: ignore[attr-defined]
    geo = SkeletonGeometry(seq)  # type: ignore[arg-type]
    for i in range(geo.num_frames):
        geo.frame(i)
    geo.bounds()
    refused = []
    for suffix in (".pose", ".bvh"):
        try:
            write(out / f"out{suffix}", seq)  # type: ignore[arg-type]
        except FormatError as exc:
            refused.append((suffix, exc))
    return refused


def run_app(path: Path, tmp: Path, timeout: float = 60.0) -> str | None:
    """``signstudio app PATH --screenshot --quit`` in a subprocess; None if it behaved."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "SIGNSTUDIO_CONFIG_DIR": str(tmp / "config"),
           "SIGNSTUDIO_AUTOSAVE_DIR": str(tmp / "autosave")}  # fmt: skip
    cmd = [
        sys.executable,
        "-m",
        "signstudio.cli.main",
        "app",
        str(path),
        "--screenshot",
        str(tmp / "s.png"),
        "--quit",
    ]
    if not os.environ.get("DISPLAY") and shutil.which("xvfb-run"):
        cmd = ["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24", *cmd]
        env["QT_QPA_PLATFORM"] = "xcb"
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, cwd=tmp)
    except subprocess.TimeoutExpired:
        return f"app timed out after {timeout:g} s"
    text = (proc.stdout + proc.stderr).strip()
    if "Traceback" in text or proc.returncode not in (0, 2):
        return f"app rc {proc.returncode}: {text[-800:]}"
    if proc.returncode == 2 and (len(text.splitlines()) != 1 or LIBRARY.search(text)):
        return f"app rc 2 but not one clean line: {text[-800:]}"
    return None


def fuzz_one(tally: Tally, family: str, path: Path, out: Path, fmt: str | None) -> bool:
    """Read ``path`` and use it; True if it was accepted."""
    from signstudio.pose.formats import read

    tally.mutations += 1
    try:
        seqs = read(path, format=fmt)
    except FormatError as exc:
        tally.rejected += 1
        check_message(tally, path, exc, "read")
        return False
    except Exception:
        tally.crashes += 1
        tally.note(f"read crashed on {path}:\n{traceback.format_exc(limit=-4)}")
        return False
    tally.accepted += 1
    try:
        for seq in seqs[:3]:
            for suffix, exc in downstream(seq, out):
                check_message(tally, out / f"out{suffix}", exc, f"write {suffix}")
    except Exception:
        tally.crashes += 1
        tally.note(f"downstream crashed on {path}:\n{traceback.format_exc(limit=-4)}")
    return True


def run(
    per_family: int,
    app_sample: int = 0,
    seed: str = "0",
    keep: Path | None = None,
    families: tuple[str, ...] = FAMILIES,
    log: Callable[[str], None] = print,
) -> dict[str, Tally]:
    """Fuzz ``per_family`` mutations of each family; the tallies by family."""
    tallies: dict[str, Tally] = {}
    with tempfile.TemporaryDirectory(prefix="fuzz-downstream-") as tmp_name:
        tmp = Path(tmp_name)
        (tmp / "samples").mkdir()
        samples = build_samples(tmp / "samples")
        for family in families:
            rng = random.Random(f"{seed}-{family}")
            tally = tallies[family] = Tally()
            accepted: list[Path] = []
            started = time.perf_counter()
            for n in range(per_family):
                src = samples[family][n % len(samples[family])]
                work = tmp / "work"
                shutil.rmtree(work, ignore_errors=True)
                (work / "out").mkdir(parents=True)
                path = make_mutation(rng, family, src, work / f"m{n:06d}{src.suffix}")
                fmt = FORMAT_OF.get(family, family) if rng.random() < 0.25 else None
                before = tally.bad()
                ok = fuzz_one(tally, family, path, work / "out", fmt)
                if keep is not None and tally.bad() > before:
                    _keep(keep, family, n, path)
                if ok and len(accepted) < app_sample:
                    accepted.append(_keep(tmp / "accepted", family, n, path))
            for path in accepted:
                tally.app_runs += 1
                problem = run_app(path, Path(tempfile.mkdtemp(dir=tmp)))
                if problem is not None:
                    tally.app_failures += 1
                    tally.note(f"{path.name}: {problem}")
            log(_row(family, tally, time.perf_counter() - started))
    return tallies


def _keep(folder: Path, family: str, n: int, path: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    dst = folder / f"{family}-{n:06d}{path.suffix}"
    if path.is_dir():
        shutil.copytree(path, dst, dirs_exist_ok=True)
    else:
        shutil.copyfile(path, dst)
    return dst


HEADER = (
    f"{'family':<11}{'mutations':>10}{'rejected':>9}{'accepted':>9}{'crashes':>8}{'libtext':>8}"
    f"{'noplace':>8}{'badmsg':>7}{'vague':>6}{'app':>5}{'appfail':>8}{'secs':>7}"
)


def _row(family: str, t: Tally, seconds: float) -> str:
    return (
        f"{family:<11}{t.mutations:>10}{t.rejected:>9}{t.accepted:>9}{t.crashes:>8}{t.library_text:>8}"
        f"{t.no_place:>8}{t.bad_message:>7}{t.vague_place:>6}{t.app_runs:>5}{t.app_failures:>8}{seconds:>7.1f}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-family", type=int, default=2000)
    parser.add_argument(
        "--app-sample", type=int, default=0, help="accepted files per family opened in the app"
    )
    parser.add_argument("--seed", default="0")
    parser.add_argument("--family", action="append", choices=FAMILIES, help="only these (repeatable)")
    parser.add_argument("--keep", type=Path, help="copy every failing mutation into this folder")
    args = parser.parse_args(argv)
    print(HEADER, flush=True)
    tallies = run(args.per_family, args.app_sample, args.seed, args.keep, tuple(args.family or FAMILIES),
                  log=lambda line: print(line, flush=True))  # fmt: skip
    total = Tally()
    for t in tallies.values():
        for name in ("mutations", "rejected", "accepted", "crashes", "library_text", "no_place",
                     "bad_message", "vague_place", "app_runs", "app_failures"):  # fmt: skip
            setattr(total, name, getattr(total, name) + getattr(t, name))
    print(_row("total", total, 0.0))
    for family, t in tallies.items():
        for example in t.examples:
            print(f"--- {family}: {example}")
    return 1 if total.bad() else 0


if __name__ == "__main__":
    sys.exit(main())
