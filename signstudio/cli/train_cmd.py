"""`signstudio train signllm-mlsf [...]`: train a model on the built-in corpus (or another cache).

Runs as it is on one CPU or GPU, and under ``torchrun --nproc_per_node N`` with DDP. A second run
with the same ``--out`` resumes from its ``last.pt``. See `signstudio.modeling.training.signllm`.

`signstudio train compare-losses [...] --out DIR`: the same options, but two runs back to back
(MSE, then RL loss + PLC; ``--max-minutes`` each) and a figure of dev DTW against training time
(``DIR/loss_comparison.svg`` + ``.json`` + ``.md``). See `signstudio.modeling.evaluation.loss_comparison`.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

TRAINABLE = ("signllm-mlsf", "signllm-p2lg", "nar-kd", "diffusion", "fgd-encoder", "backtranslation")
GENERATIVE = ("nar-kd", "diffusion")  # signstudio.modeling.training.text_to_pose
COMPARE = "compare-losses"


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "train", help="train a neural model (signllm-mlsf, signllm-p2lg, nar-kd, diffusion) on the corpus"
    )
    p.add_argument(
        "model",
        choices=(*TRAINABLE, COMPARE),
        help=f"model to train, or {COMPARE}: MSE vs RL+PLC runs of signllm-mlsf and their figure",
    )
    _add_data_options(p.add_argument_group("data and output"))
    _add_model_options(p.add_argument_group("model and loss"))
    _add_schedule_options(p.add_argument_group("schedule and evaluation"))
    _add_per_model_options(p.add_argument_group("for one model (named first in each help)"))
    p.set_defaults(func=run)


def _add_data_options(g: Any) -> None:
    """What to train on, where the run goes, what is shipped, where it runs."""
    g.add_argument(
        "--langs",
        nargs="+",
        default=None,
        metavar="SL",
        help="sign languages (default: ase gsg of the corpus; with --data the one the files state)",
    )
    g.add_argument("--corpus", default=None, help="corpus cache (default: the built-in corpus)")
    g.add_argument(
        "--data",
        nargs="+",
        default=[],
        metavar="PATH",
        help="train on these pose files instead (any readable format, each sequence with its text; "
        "PT's train/dev/test names and .files prefixes say the split; one sign language)",
    )
    g.add_argument(
        "--dev",
        nargs="+",
        default=[],
        metavar="PATH",
        help="with --data: the dev files (every sequence in them is dev)",
    )
    g.add_argument(
        "--out",
        default=None,
        help="run folder (last.pt, best.pt, log.json); default runs/MODEL (runs/loss-comparison)",
    )
    g.add_argument("--export", default=None, help="also write best weights (fp16) here for shipping")
    g.add_argument(
        "--add",
        action="store_true",
        help="with --export: add these languages to the existing checkpoint there (MLSF)",
    )
    g.add_argument("--seed", type=int, default=0)
    g.add_argument("--device", default="auto", help="auto | cpu | cuda | cuda:N")
    g.add_argument("--no-progress", action="store_true")


def _add_model_options(g: Any) -> None:
    """The network's size and the training objective."""
    g.add_argument("--size", choices=["tiny", "base", "large", "super"], default="tiny")
    g.add_argument("--d-model", type=int, default=None, help="override the size's model width")
    g.add_argument("--loss", choices=["mse", "rl"], default="mse")
    g.add_argument("--plc", action="store_true", help="Priority Learning Channel sampling")
    g.add_argument("--eta", type=float, default=0.6, help="PLC prioritisation strength")
    g.add_argument("--future-k", type=int, default=0, help="Future Prediction: frames ahead (0 = off)")
    g.add_argument("--noise-std", type=float, default=0.0, help="Gaussian Noise on decoder inputs")
    g.add_argument(
        "--max-frames",
        type=int,
        default=None,
        help="the model's frame limit (longer sequences are cut to it; the run says how many)",
    )


def _add_schedule_options(g: Any) -> None:
    """How long, how fast, and how often the dev set is scored."""
    g.add_argument("--epochs", type=int, default=20)
    g.add_argument("--max-minutes", type=float, default=None, help="stop after this wall time")
    g.add_argument("--max-steps", type=int, default=None)
    g.add_argument("--batch-size", type=int, default=16)
    g.add_argument("--lr", type=float, default=5e-4)
    g.add_argument(
        "--schedule",
        choices=["constant", "cosine"],
        default="constant",
        help="learning rate: constant, or warm-up then cosine down to 10%% at the last step",
    )
    g.add_argument("--eval-every", type=int, default=100, help="steps between dev evaluations")
    g.add_argument("--dev-limit", type=int, default=16, help="dev words per language per evaluation")


def _add_per_model_options(g: Any) -> None:
    """Options that only one model (or compare-losses) reads."""
    g.add_argument(
        "--tolerance",
        type=float,
        default=0.10,
        help=f"{COMPARE}: late stage = within this fraction of the MSE run's best dev score",
    )
    g.add_argument(
        "--parallel",
        action="store_true",
        help=f"{COMPARE}: run MSE and RL+PLC side by side, half the CPU threads each",
    )
    g.add_argument(
        "--reader-minutes",
        type=float,
        default=None,
        help="signllm-p2lg: minutes to train the prompt reader before the gloss-to-pose channel "
        "(default 4; 0 with --data: the run trains the gloss channel on the data's .gloss only)",
    )
    g.add_argument(
        "--target",
        choices=["text", "gloss"],
        default="text",
        help="backtranslation with --data: read back the .text (words) or the .gloss",
    )
    _add_generative_options(g)
    g.add_argument(
        "--pretrain-steps", type=int, default=None, help="backtranslation: pseudo-gloss steps first"
    )
    g.add_argument(
        "--no-gate", action="store_true", help="backtranslation: plain cross-attention (no zero-init gate)"
    )
    g.add_argument(
        "--no-pseudo-gloss",
        action="store_true",
        help="backtranslation: no pseudo-gloss pretraining nor auxiliary loss (the ablation)",
    )


def _add_generative_options(g: Any) -> None:
    """nar-kd and diffusion (`signstudio.modeling.training.text_to_pose`)."""
    g.add_argument(
        "--no-kd",
        action="store_true",
        help="nar-kd: no distillation loss (the ablation of Hwang et al.'s Table 3a)",
    )
    g.add_argument("--vae-steps", type=int, default=3000, help="nar-kd: frame-VAE steps first")
    g.add_argument("--vae-from", default=None, help="nar-kd: take the frame VAE from this checkpoint")
    g.add_argument("--layers", type=int, default=None, help="nar-kd / diffusion: decoder layers")
    g.add_argument(
        "--prediction",
        choices=["eps", "x0"],
        default=None,
        help="diffusion: the denoiser predicts the noise (eps) or the clean features (x0)",
    )
    g.add_argument("--sample-steps", type=int, default=None, help="diffusion: default DDIM steps to ship")
    g.add_argument("--guidance", type=float, default=None, help="diffusion: default guidance scale to ship")


def run(args: argparse.Namespace) -> int:
    """Bad data or options: one ``error:`` line on stderr, exit 2 (the file and the problem)."""
    import sys

    from signstudio.modeling.training.user_data import DataError

    try:
        return _run(args)
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _user_data(args: argparse.Namespace) -> Any:
    """``--data``/``--dev`` loaded (split sizes and frame-limit notes on stderr), or None."""
    import os
    import sys

    from signstudio.modeling.training.user_data import DataError, load_user_data

    if args.dev and not args.data:
        raise DataError("--dev names dev files for --data; give the training files with --data")
    if args.target != "text" and (not args.data or args.model != "backtranslation"):
        raise DataError("--target is for backtranslation trained on --data")
    if not args.data:
        return None
    if args.model == COMPARE:
        raise DataError(f"{COMPARE} runs on a corpus cache, not --data")
    if args.corpus:
        raise DataError("give --corpus or --data, not both")
    data = load_user_data(args.data, args.dev, args.langs)
    limit = _frame_limit(args)
    note = data.frame_limit_note(limit, args.model) if limit else None
    if os.environ.get("RANK", "0") == "0":
        print(data.summary(), file=sys.stderr)
        if note:
            print(note, file=sys.stderr)
    return data


def _frame_limit(args: argparse.Namespace) -> int | None:
    """The model's frame limit for this run (``--max-frames`` or the model's default)."""
    if args.max_frames is not None:
        if args.max_frames < 2:
            from signstudio.modeling.training.user_data import DataError

            raise DataError(f"--max-frames must be at least 2, not {args.max_frames}")
        return int(args.max_frames)
    if args.model in ("signllm-mlsf", "signllm-p2lg"):
        from signstudio.modeling.models.signllm_mlsf import size_config

        return int(size_config(args.size).max_frames)
    if args.model == "nar-kd":
        from signstudio.modeling.models.nar_kd import NARKDConfig

        return int(NARKDConfig().max_frames)
    if args.model == "diffusion":
        from signstudio.modeling.models.diffusion import DiffusionConfig

        return int(DiffusionConfig().max_frames)
    if args.model == "backtranslation":
        from signstudio.modeling.evaluation.backtranslation import STRIDE, BTConfig

        return int(BTConfig().max_frames * STRIDE)
    return None  # fgd-encoder: windows of any sequence


def _run(args: argparse.Namespace) -> int:
    from signstudio.modeling.training.signllm import TrainConfig, train

    data = _user_data(args)
    if data is not None:
        args.langs = [data.lang]
    elif args.langs is None:
        args.langs = ["ase", "gsg"]
    if args.model in GENERATIVE:
        return run_generative(args, data)
    if args.model == "fgd-encoder":
        return run_fgd_encoder(args, data)
    if args.model == "backtranslation":
        return run_backtranslation(args, data)
    compare = args.model == COMPARE
    out = args.out or ("runs/loss-comparison" if compare else f"runs/{args.model}")
    overrides: dict[str, Any] = {"d_model": args.d_model} if args.d_model else {}
    if args.max_frames:
        overrides["max_frames"] = args.max_frames
    cfg = TrainConfig(
        model=TRAINABLE[0] if compare else args.model,
        langs=tuple(args.langs),
        size=args.size,
        loss=args.loss,
        plc=args.plc,
        eta=args.eta,
        epochs=args.epochs,
        max_minutes=args.max_minutes,
        max_steps=args.max_steps,
        out=out,
        seed=args.seed,
        device=args.device,
        corpus=args.corpus,
        data=tuple(args.data),
        dev=tuple(args.dev),
        batch_size=args.batch_size,
        lr=args.lr,
        schedule=args.schedule,
        eval_every=args.eval_every,
        dev_limit=args.dev_limit,
        future_k=args.future_k,
        noise_std=args.noise_std,
        export=args.export,
        export_add=args.add,
        progress=not args.no_progress,
        model_overrides=overrides,
    )
    if compare:
        from pathlib import Path

        from signstudio.modeling.evaluation.loss_comparison import compare_losses

        stage = compare_losses(cfg, Path(out), tolerance=args.tolerance, parallel=args.parallel)["late_stage"]
        keys = ("threshold", "reached", "best", "ratio_train_s", "ratio_step", "paper_ratio")
        print(json.dumps({k: stage[k] for k in keys} | {"out": out}))
        return 0
    if args.model == "signllm-p2lg":
        from signstudio.modeling.training.prompt_reader_training import ReaderTraining
        from signstudio.modeling.training.signllm_p2lg import train_p2lg

        minutes = args.reader_minutes if args.reader_minutes is not None else (0.0 if data else 4.0)
        reader = ReaderTraining(minutes=minutes, seed=args.seed)
        print(json.dumps(train_p2lg(cfg, reader, user_data=data)))
        return 0
    result = train(cfg, user_data=data)
    summary = {
        "steps": result.steps,
        "epochs": round(result.epochs, 2),
        "wall_s": round(result.wall_s, 1),
        "best_dev": result.best_score,
        "metric": result.metric,
        "out": str(result.out),
    }
    print(json.dumps(summary))
    return 0


def run_generative(args: argparse.Namespace, data: Any = None) -> int:
    import sys

    from signstudio.modeling.training.text_to_pose import GenTrainConfig, train_generative

    for flag, given in (("--add", args.add), ("--plc", args.plc)):
        if given:
            print(f"error: {flag} is for the SignLLM models, not {args.model}", file=sys.stderr)
            return 2
    overrides: dict[str, Any] = {}
    if args.d_model:
        overrides["d_model"] = args.d_model
    if args.layers:
        overrides["dec_layers" if args.model == "nar-kd" else "layers"] = args.layers
    if args.prediction is not None:
        overrides["prediction"] = args.prediction
    if args.sample_steps is not None:
        overrides["steps"] = args.sample_steps
    if args.guidance is not None:
        overrides["guidance"] = args.guidance
    if args.max_frames:
        overrides["max_frames"] = args.max_frames
    cfg = GenTrainConfig(
        model=args.model,
        langs=tuple(args.langs),
        corpus=args.corpus,
        out=args.out or f"runs/{args.model}",
        seed=args.seed,
        device=args.device,
        batch_size=args.batch_size,
        lr=args.lr,
        schedule=args.schedule,
        epochs=args.epochs,
        max_steps=args.max_steps,
        max_minutes=args.max_minutes,
        eval_every=args.eval_every,
        dev_limit=args.dev_limit,
        distill=not args.no_kd,
        vae_steps=args.vae_steps,
        vae_from=args.vae_from,
        model_overrides=overrides,
        export=args.export,
        progress=not args.no_progress,
    )
    result = train_generative(cfg, user_data=data)
    print(
        json.dumps(
            {
                "steps": result.steps,
                "wall_s": round(result.wall_s, 1),
                "best_dev": result.best_score,
                "metric": "pt-dtw",
                "out": str(result.out),
            }
        )
    )
    return 0


def _evaluator_out(args: argparse.Namespace, data: Any, shipped: Any) -> Any:
    """Where an evaluator is written: ``--export``; with --data ``--out``/best.pt (never the
    shipped file unless --export says so); else the shipped path."""
    from pathlib import Path

    if args.export:
        return Path(args.export)
    if data is not None:
        return Path(args.out or f"runs/{args.model}") / "best.pt"
    return shipped


def run_fgd_encoder(args: argparse.Namespace, data: Any = None) -> int:
    """The FGD feature encoder: trained on --corpus' train words (default: the built-in corpus),
    reference Gaussians from the built-in corpus' splits; --export (default: the shipped path).
    With --data: trained on the data's train sequences, reference Gaussians of its train and dev
    sequences, written to --out/best.pt."""
    from pathlib import Path

    from signstudio.modeling.evaluation.fgd_encoder import FGD_CHECKPOINT, FGDTraining, train_fgd_encoder

    settings = FGDTraining(
        steps=args.max_steps or 3000,
        batch_size=args.batch_size,
        lr=args.lr,
        seed=args.seed,
        device="cpu" if args.device == "auto" else args.device,
    )
    export = _evaluator_out(args, data, FGD_CHECKPOINT)
    if data is not None:
        from signstudio.modeling.evaluation.fgd_encoder import train_fgd_encoder_on_data

        summary = train_fgd_encoder_on_data(data, settings, export, not args.no_progress)
    else:
        from signstudio.corpus.store import open_corpus

        builtin = open_corpus(quiet=True)
        corpus = open_corpus(Path(args.corpus)) if args.corpus else builtin
        summary = train_fgd_encoder(
            corpus, builtin, tuple(args.langs), settings, export, not args.no_progress
        )
    print(
        json.dumps(
            {k: summary[k] for k in ("steps", "seconds", "final_loss", "train_windows")}
            | {"out": str(export)}
        )
    )
    return 0


def run_backtranslation(args: argparse.Namespace, data: Any = None) -> int:
    """Pose -> text on --corpus' train words (ground truth only; default: the built-in corpus);
    dev/test readings of the built-in corpus' ground truth in the summary; --export (default: the
    shipped path). --lr is the base learning rate before the batch scaling (default 1e-4).
    With --data: the data's train sequences read back as words (--target text) or glosses, the
    readings of its dev sequences in the summary, written to --out/best.pt."""
    from dataclasses import replace
    from pathlib import Path

    from signstudio.modeling.evaluation.backtranslation import (
        BT_CHECKPOINT,
        BTTraining,
        train_backtranslation,
    )

    defaults = BTTraining()
    config = replace(defaults.config, gated=not args.no_gate)
    if args.max_frames:
        from signstudio.modeling.evaluation.backtranslation import STRIDE

        config = replace(config, max_frames=-(-args.max_frames // STRIDE))
    settings = BTTraining(
        steps=args.max_steps or defaults.steps,
        pretrain_steps=0
        if args.no_pseudo_gloss
        else (defaults.pretrain_steps if args.pretrain_steps is None else args.pretrain_steps),
        gloss_weight=0.0 if args.no_pseudo_gloss else defaults.gloss_weight,
        batch_size=args.batch_size,
        lr=args.lr if args.lr != 5e-4 else defaults.lr,  # 5e-4 is the text->pose models' default
        seed=args.seed,
        device="cpu" if args.device == "auto" else args.device,
        config=config,
    )
    export = _evaluator_out(args, data, BT_CHECKPOINT)
    if data is not None:
        from signstudio.modeling.evaluation.backtranslation import train_backtranslation_on_data

        summary = train_backtranslation_on_data(data, args.target, settings, export, not args.no_progress)
        dev = summary.get("ground_truth_dev")  # read by rank 0 only, under torchrun
        reading = {"dev_bleu4": round(dev["bleu"]["4"], 2)} if dev else {}
        print(
            json.dumps(
                {k: summary[k] for k in ("steps", "seconds", "parameters", "target")}
                | reading
                | {"out": str(export)}
            )
        )
        return 0
    from signstudio.corpus.store import open_corpus

    builtin = open_corpus(quiet=True)
    corpus = open_corpus(Path(args.corpus)) if args.corpus else builtin
    summary = train_backtranslation(
        corpus, builtin, tuple(args.langs), settings, export, not args.no_progress
    )
    test = summary["ground_truth_test"]
    print(
        json.dumps(
            {k: summary[k] for k in ("steps", "seconds", "parameters", "gates")}
            | {"test_bleu4": {lang: round(v["bleu"]["4"], 2) for lang, v in test.items()}, "out": str(export)}
        )
    )
    return 0
