"""`signstudio bench` finds the checkout's top-level benchmarks/ and says so when it is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from signstudio.cli import bench_cmd
from signstudio.cli.main import main


def test_the_benchmarks_are_found_beside_the_package() -> None:
    root = bench_cmd.checkout_root()
    assert root is not None
    assert (root / "benchmarks" / "suite.py").is_file()
    assert (root / "signstudio" / "cli" / "bench_cmd.py").is_file()


def test_an_install_without_the_checkout_says_where_the_benchmarks_are(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setattr(bench_cmd, "checkout_root", lambda: None)
    assert main(["bench", "--quick", "--only", "dtw", "--json", str(tmp_path / "b.json")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("error: the benchmarks are not installed")
    assert "benchmarks/" in err[0]
    assert not (tmp_path / "b.json").exists()


def test_the_command_lists_every_benchmark_of_the_suite() -> None:
    from benchmarks import suite

    assert bench_cmd.BENCHMARKS == suite.BENCHMARKS
