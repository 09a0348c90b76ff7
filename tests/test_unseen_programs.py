"""PyTorch programs of kinds the other program suites do not cover (tests/nn_programs/unseen/,
kept as PyTorch code: `import torch`), written the way PyTorch users write them (tutorials,
popular repositories, notebooks), each seeded and on synthetic data. Each runs twice: under
PyTorch, and under pyautograd with only its import lines changed (`import pyautograd as torch`,
`from pyautograd.utils.data import ...`).

Identical starting points: pyautograd's CPU generator is PyTorch's (manual_seed(s) gives
PyTorch's numbers for rand/randn/randint/randperm/bernoulli/dropout/multinomial/init), so both
runs build the same initial parameters and the same data without copying state between them.
Everything the programs print must then agree: the text exactly, every number within the
program's relative tolerance or one unit of the last digit printed (test_tutorial_programs's
compare). The tolerances: the float32 programs' losses move by float rounding only (the
matrix products' and reductions' summation order differs from PyTorch's oneDNN/MKL kernels:
relative 1e-7 per op); over a few steps that stays below 1e-4; programs that train longer
or through ops that amplify rounding (Adam's first steps divide a gradient by its own size,
so a parameter whose gradient is rounding noise, such as a bias before a BatchNorm, moves by a
whole lr; GAN games) get 1e-3 to 3e-3. Each such tolerance was checked by running the program
in float64 (torch.set_default_dtype) under both libraries, where the printed numbers agree to
the last digit: the float32 difference is rounding, not a different computation."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_tutorial_programs import compare, run, swap_imports

PROGRAMS = Path(__file__).resolve().parent / "nn_programs" / "unseen"

# program -> relative tolerance of its printed numbers
CASES = {
    "seq2seq_attention.py": 1e-4,  # GRU encoder, Bahdanau attention decoder, teacher forcing
    "char_lstm.py": 1e-4,  # char LSTM LM, truncated BPTT, clip_grad_norm_, multinomial sampling
    "resnet_onecycle.py": 1e-4,  # residual CNN, BatchNorm2d, AdamW + OneCycleLR, argmax accuracy
    "unet_autoencoder.py": 3e-3,  # U-Net: interpolate/ConvTranspose2d, skip torch.cat, F.pad
    "transformer_classifier.py": 1e-4,  # TransformerEncoder, padding mask, LambdaLR warmup
    "word2vec_sgns.py": 1e-4,  # skip-gram, negative sampling by multinomial, logsigmoid, bmm
    "gnn_message_passing.py": 1e-4,  # GCN/GAT: scatter_add_, index_add_, scatter_reduce amax
    "mixture_density.py": 1e-4,  # MDN: Categorical/Normal/MixtureSameFamily, sampling
    "realnvp_flow.py": 1e-4,  # RealNVP coupling layers, MultivariateNormal prior
    "pinn_poisson.py": 1e-6,  # float64 PINN: autograd.grad(create_graph=True), Adam, L-BFGS
    "early_stopping_checkpoint.py": 1e-4,  # random_split, ReduceLROnPlateau, deepcopy, save/load
    "dict_dataset_packed_rnn.py": 1e-4,  # dict Dataset, collate_fn, packed BiGRU, samplers
    "containers_init.py": 1e-4,  # ModuleList/Dict, ParameterList/Dict, apply(init), groups
    "mini_gpt_einsum.py": 1e-4,  # nanoGPT: einsum attention, tril buffer, tying, top-k sampling
    "metrics_tensor_idioms.py": 1e-4,  # metrics: bincount, ROC AUC, topk, numpy round trips
    "conditional_gan.py": 3e-3,  # cGAN, two optimizers, .detach(), BCEWithLogits (a GAN game)
    "distillation_kldiv.py": 1e-4,  # knowledge distillation: KLDivLoss batchmean, temperature
    "conv_vae_logits.py": 1e-4,  # conv VAE: BCE with logits, kl_divergence, rsample, BytesIO
    "siamese_triplet.py": 1e-4,  # TripletMarginLoss, cdist hard mining, CosineEmbeddingLoss
    "lstm_forecast.py": 1e-4,  # sliding windows by unfold, stacked LSTM, HuberLoss, StepLR
    "maml_sinusoid.py": 1e-4,  # MAML: functional_call, autograd.grad(create_graph=True)
    "transformer_seq2seq.py": 1e-4,  # nn.Transformer batch_first, masks, greedy decoding
    "ppo_continuous.py": 1e-4,  # PPO: Normal policy, GAE, clipped surrogate, randperm batches
}


def test_every_program_is_listed() -> None:
    assert sorted(p.name for p in PROGRAMS.glob("*.py")) == sorted(CASES)


@pytest.mark.parametrize("name", list(CASES))
def test_program_prints_what_pytorch_prints(name: str) -> None:
    source = (PROGRAMS / name).read_text(encoding="utf-8")
    ours = run(swap_imports(source))
    assert ours.strip(), "the program printed nothing"
    pytest.importorskip("torch")
    compare(ours, run(source), CASES[name])
