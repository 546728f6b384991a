"""Issue 21 through the CLI: `generate --prompt` reads unquoted prompts with the studio's reader
whatever the model, says when another spoken language's words are spelled letter by letter,
offers the models that cover a language the chosen one lacks (one line), and
`evaluate-prompts` prints the held-out table."""

from __future__ import annotations

import json

from signstudio.cli.main import main
from signstudio.modeling import registry
from signstudio.modeling.base import ModelInfo
from signstudio.pose import formats


def test_an_unquoted_prompt_with_english_words_in_dgs(tmp_path, capsys):
    out = tmp_path / "t.pose"
    argv = ["generate", "--prompt", "--text", "how do you sign thank you in DGS", "--out", str(out)]
    assert main(argv) == 0
    [line] = capsys.readouterr().out.splitlines()
    assert "understood 'thank you'" in line and "(gsg) (named in the prompt)" in line
    assert "English words: spelled letter by letter with the DGS manual alphabet" in line
    assert len(formats.read_one(out)) > 20


def test_letters_the_alphabet_lacks_are_named(tmp_path, capsys):
    out = tmp_path / "g.pose"
    assert main(["generate", "--prompt", "--text", "sign Größe in TİD", "--out", str(out)]) == 0
    line = capsys.readouterr().out
    assert "German words: spelled letter by letter with the Turkish Sign Language manual alphabet" in line
    assert "not signed: ß" in line


def test_own_language_words_get_no_spelling_note(tmp_path, capsys):
    out = tmp_path / "d.pose"
    assert main(["generate", "--prompt", "--text", "wie gebärdet man danke in DGS", "--out", str(out)]) == 0
    line = capsys.readouterr().out
    assert "understood 'danke'" in line and "spelled letter by letter" not in line


def test_a_language_the_model_lacks_is_offered_to_the_models_that_have_it(tmp_path, capsys):
    info = ModelInfo("two-langs", "Two languages", "a test model", ("ase", "gsg"), kind="neural")

    def factory(device: str):  # never reached: the offer comes before the model loads
        raise AssertionError("the model must not load")

    registry.register(info, factory)
    try:
        out = tmp_path / "x.pose"
        argv = ["generate", "--model", "two-langs", "--prompt", "--text", "how do you sign hello in LIS"]
        assert main([*argv, "--out", str(out)]) == 2
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
        assert "does not cover Italian Sign Language (LIS) (ise)" in err and "choose lookup" in err
        for baseline in ("mean", "random", "wrong-word"):  # they do not sign the text
            assert f" {baseline}" not in err
        assert not out.exists()
    finally:
        registry.unregister("two-langs")


def test_evaluate_prompts_prints_the_table(tmp_path, capsys):
    rows = [
        {
            "prompt": "how do you sign cat in ASL",
            "spoken_language": "en",
            "text": "cat",
            "sign_language": "ase",
        },
        {"prompt": "sign 'dog' please", "spoken_language": "en", "text": "dog", "sign_language": None},
    ]
    held = tmp_path / "held.jsonl"
    held.write_text(
        "\n".join(json.dumps({**r, "quoted": "'" in r["prompt"]}) for r in rows), encoding="utf-8"
    )
    report = tmp_path / "scores.json"
    assert main(["evaluate-prompts", "--set", str(held), "--reader", "rules", "--json", str(report)]) == 0
    out = capsys.readouterr().out
    assert "rules      unquoted  all       1 100.0% 100.0% 100.0%" in out
    assert "rules      quoted    en        1 100.0% 100.0% 100.0%" in out
    assert json.loads(report.read_text())[str(held)]["rules"]["all"]["all"]["n"] == 2
    held.write_text('{"prompt": "x"}\n', encoding="utf-8")
    assert main(["evaluate-prompts", "--set", str(held)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "line 1" in err and "not a JSON object with prompt" in err
