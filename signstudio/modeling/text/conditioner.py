"""The text side shared by ``nar-kd`` and ``diffusion``: MiniLM states + characters + sign language.

    cond = TextConditioner(d_model=128, heads=4, layers=2, ff=256, dropout=0.1,
                           char_vocab=len(vocab), languages=("ase", "gsg"), max_text=48)
    memory, mask, cls = cond(minilm, minilm_mask, chars, chars_mask, lang_index)
    # memory: (B, 1 + L + C, d) fused encoding; mask: (B, 1 + L + C) True = token; cls: (B, d)

One transformer encoder reads, side by side, a learned [CLS] token carrying the sign language, the
frozen all-MiniLM-L6-v2 states of the text (projected from 384 to d) and a character embedding of
the text (each with its own type embedding). Hwang et al. use BERT alone; a fingerspelled word is
its letters, which MiniLM's accent-stripping word pieces do not keep, so the characters join it.
The [CLS] output is what the length regulator reads (Hwang et al. §3.3: length from [CLS]).

``drop`` (classifier-free guidance): rows where it is True see no text, neither MiniLM states nor
characters: only the [CLS] with the sign language.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from signstudio.modeling.text.sentence_encoder import DIM as MINILM_DIM


class TextConditioner(nn.Module):
    def __init__(
        self,
        d_model: int,
        heads: int,
        layers: int,
        ff: int,
        dropout: float,
        char_vocab: int,
        languages: tuple[str, ...],
        max_text: int = 48,
        use_minilm: bool = True,
    ):
        super().__init__()
        self.languages = tuple(languages)
        self.max_text = max_text
        self.use_minilm = use_minilm
        self.lang = nn.Embedding(len(languages), d_model)
        self.minilm_in = nn.Linear(MINILM_DIM, d_model)
        self.chars = nn.Embedding(char_vocab, d_model, padding_idx=0)
        self.char_pos = nn.Embedding(max_text, d_model)
        self.types = nn.Embedding(3, d_model)  # cls, minilm, chars
        layer = nn.TransformerEncoderLayer(
            d_model, heads, ff, dropout, activation="gelu", batch_first=True, norm_first=True
        )
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d_model)

    def lang_index(self, lang: str, batch: int, device: str | torch.device) -> Tensor:
        return torch.full((batch,), self.languages.index(lang), dtype=torch.long, device=device)

    def forward(
        self,
        minilm: Tensor,
        minilm_mask: Tensor,
        chars: Tensor,
        chars_mask: Tensor,
        lang: Tensor,
        drop: Tensor | None = None,
    ) -> tuple[Tensor, Tensor, Tensor]:
        """minilm: (B, L, 384); chars: (B, C) ids; lang: (B,) index into ``languages``;
        drop: (B,) bool, True = hide the text (CFG). Returns memory (B, 1+L+C, d), mask, cls (B, d)."""
        chars, chars_mask = chars[:, : self.max_text], chars_mask[:, : self.max_text]
        b = chars.shape[0]
        device = chars.device
        cls = (self.lang(lang) + self.types.weight[0])[:, None]
        pos = torch.arange(chars.shape[1], device=device)
        ch = self.chars(chars) + self.char_pos(pos) + self.types.weight[2]
        mm = self.minilm_in(minilm) + self.types.weight[1]
        minilm_mask = minilm_mask if self.use_minilm else torch.zeros_like(minilm_mask)
        x = torch.cat([cls, mm, ch], dim=1)
        mask = torch.cat([torch.ones(b, 1, dtype=torch.bool, device=device), minilm_mask, chars_mask], 1)
        if drop is not None:
            mask = mask & ~torch.cat(
                [torch.zeros_like(drop[:, None]), drop[:, None].expand(-1, mask.shape[1] - 1)], 1
            )
        out = self.norm(self.encoder(x, src_key_padding_mask=~mask))
        return out, mask, out[:, 0]


class TextInputs:
    """The text side of a batch as tensors on one device (what `TextConditioner` reads).

    minilm: (B, L, 384), minilm_mask: (B, L); chars: (B, C) ids, chars_mask: (B, C); lang: (B,)."""

    def __init__(self, minilm: Tensor, minilm_mask: Tensor, chars: Tensor, chars_mask: Tensor, lang: Tensor):
        self.minilm, self.minilm_mask = minilm, minilm_mask
        self.chars, self.chars_mask, self.lang = chars, chars_mask, lang

    @classmethod
    def build(
        cls,
        texts: list[str],
        lang_index: list[int],
        vocab: object,
        minilm: tuple[Tensor, Tensor],
        device: str,
    ) -> TextInputs:
        from signstudio.modeling.data import encode_texts

        ids, mask = encode_texts(texts, vocab)  # type: ignore[arg-type]
        return cls(
            minilm[0].to(device),
            minilm[1].to(device),
            torch.from_numpy(ids).to(device),
            torch.from_numpy(mask).to(device),
            torch.tensor(lang_index, dtype=torch.long, device=device),
        )

    def args(self) -> tuple[Tensor, Tensor, Tensor, Tensor, Tensor]:
        return self.minilm, self.minilm_mask, self.chars, self.chars_mask, self.lang

    def repeat(self, n: int) -> TextInputs:
        """Every tensor repeated ``n`` times along the batch (for guided sampling)."""
        return TextInputs(*(t.repeat(n, *([1] * (t.dim() - 1))) for t in self.args()))


def sinusoid(positions: Tensor, dim: int) -> Tensor:
    """(..., dim) sinusoidal encoding of (possibly fractional) positions (Vaswani et al.)."""
    import math

    half = dim // 2
    freq = torch.exp(-math.log(10000.0) * torch.arange(half, device=positions.device) / half)
    angles = positions.float()[..., None] * freq
    return torch.cat([angles.sin(), angles.cos()], dim=-1)
