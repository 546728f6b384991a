"""A tiny built corpus (ASL only, 10 words) for reference look-ups."""

import pytest

from signstudio.corpus.store import Corpus, CorpusSettings, build


@pytest.fixture(scope="session")
def tiny_corpus(tmp_path_factory) -> Corpus:
    settings = CorpusSettings(languages=("ase",), words_per_language=10, prompts_per_word=1)
    return Corpus(build(tmp_path_factory.mktemp("corpus") / "tiny.h5", settings))
