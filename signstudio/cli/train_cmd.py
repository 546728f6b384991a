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
    g.add_argument("--langs", nargs="+", default=["ase", "gsg"], metavar="SL", help="sign languages")
    g.add_argument("--corpus", default=None, help="corpus cache (default: the built-in corpus)")
    g.add_argument(
        "--data",
        nargs="+",
        default=[],
        metavar="PATH",
        help="train on these pose files instead (any readable format, each sequence with its text; "
        "one sign language in --langs)",
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
        default=4.0,
        help="signllm-p2lg: minutes to train the prompt reader before the gloss-to-pose channel",
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
    from signstudio.modeling.training.signllm import TrainConfig, train

    if args.model in GENERATIVE:
        return run_generative(args)
    if args.model == "fgd-encoder":
        return run_fgd_encoder(args)
    if args.model == "backtranslation":
        return run_backtranslation(args)
    compare = args.model == COMPARE
    out = args.out or ("runs/loss-comparison" if compare else f"runs/{args.model}")
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
        model_overrides={"d_model": args.d_model} if args.d_model else {},
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

        print(json.dumps(train_p2lg(cfg, ReaderTraining(minutes=args.reader_minutes, seed=args.seed))))
        return 0
    result = train(cfg)
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


def run_generative(args: argparse.Namespace) -> int:
    import sys

    from signstudio.modeling.training.text_to_pose import GenTrainConfig, train_generative

    for flag, given in (("--data", args.data), ("--add", args.add), ("--plc", args.plc)):
        if given:
            print(f"signstudio train: {flag} is for the SignLLM models, not {args.model}", file=sys.stderr)
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
    result = train_generative(cfg)
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


def run_fgd_encoder(args: argparse.Namespace) -> int:
    """The FGD feature encoder: trained on --corpus' train words (default: the built-in corpus),
    reference Gaussians from the built-in corpus' splits; --export (default: the shipped path)."""
    from pathlib import Path

    from signstudio.corpus.store import open_corpus
    from signstudio.modeling.evaluation.fgd_encoder import FGD_CHECKPOINT, FGDTraining, train_fgd_encoder

    builtin = open_corpus(quiet=True)
    corpus = open_corpus(Path(args.corpus)) if args.corpus else builtin
    settings = FGDTraining(
        steps=args.max_steps or 3000,
        batch_size=args.batch_size,
        lr=args.lr,
        seed=args.seed,
        device="cpu" if args.device == "auto" else args.device,
    )
    export = Path(args.export) if args.export else FGD_CHECKPOINT
    summary = train_fgd_encoder(corpus, builtin, tuple(args.langs), settings, export, not args.no_progress)
    print(
        json.dumps(
            {k: summary[k] for k in ("steps", "seconds", "final_loss", "train_windows")}
            | {"out": str(export)}
        )
    )
    return 0


def run_backtranslation(args: argparse.Namespace) -> int:
    """Pose -> text on --corpus' train words (ground truth only; default: the built-in corpus);
    dev/test readings of the built-in corpus' ground truth in the summary; --export (default: the
    shipped path). --lr is the base learning rate before the batch scaling (default 1e-4)."""
    from dataclasses import replace
    from pathlib import Path

    from signstudio.corpus.store import open_corpus
    from signstudio.modeling.evaluation.backtranslation import (
        BT_CHECKPOINT,
        BTTraining,
        train_backtranslation,
    )

    builtin = open_corpus(quiet=True)
    corpus = open_corpus(Path(args.corpus)) if args.corpus else builtin
    defaults = BTTraining()
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
        config=replace(defaults.config, gated=not args.no_gate),
    )
    export = Path(args.export) if args.export else BT_CHECKPOINT
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
