"""A second set of PyTorch programs of kinds no other program suite covers
(tests/nn_programs/unseen2/, kept as PyTorch code: `import torch`), written the way PyTorch
users write them, each seeded and on synthetic data. As in test_unseen_programs, each runs
under PyTorch and under pyautograd with only its import lines changed, and everything printed
must agree: the text exactly, every number within the program's relative tolerance or one
unit of its last printed digit. Each tolerance above 1e-4 was checked by running the program
in float64 under both libraries, where the printed numbers agree: the float32 difference is
rounding that training amplifies, not a different computation.

What the programs found and the library now has: torch.pca_lowrank/svd_lowrank, torch.geqrf,
linalg.householder_product, nn.utils.parametrizations.orthogonal, second derivatives
(create_graph=True) of the fused point losses other than MSE (binary_cross_entropy with and
without logits, smooth_l1, huber) and of hardswish, the lazy convolutions and norms (and
state_dict loading into lazy modules), ChainDataset and StackDataset; regression tests in
test_unseen_programs2_fixes.py; complex tensors (torch.fft, polar, view_as_complex,
cfloat parameters: fno_spectral.py and llama_complex_rope.py; tests in test_complex.py). Left
out, as pyautograd does not have them: nn.Embedding(sparse=True) (no sparse tensors; it
raises) and torch.autocast on the CPU (no bfloat16 arithmetic; it raises)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_tutorial_programs import compare, run, swap_imports

PROGRAMS = Path(__file__).resolve().parent / "nn_programs" / "unseen2"

# program -> relative tolerance of its printed numbers
CASES = {
    # affine_grid/grid_sample STN; 30 SGD steps with momentum move theta by ~2e-3 relative
    "spatial_transformer.py": 3e-3,
    "style_transfer_lbfgs.py": 1e-4,  # forward hooks, gram matrices, LBFGS on the image, clamp_
    "dqn_replay.py": 1e-4,  # deque/random.sample replay, target net, gather, smooth_l1, clipping
    "bilstm_crf.py": 1e-4,  # BiLSTM-CRF: logsumexp forward algorithm, Viterbi with max/.tolist()
    "simclr_contrastive.py": 1e-4,  # NT-Xent: normalize, masked_fill -inf, linear probe
    "vit_tiny.py": 1e-4,  # ViT: Conv2d/unfold patches, cls token, pre-norm encoder, SequentialLR
    "tcn_weightnorm.py": 1e-4,  # TCN: dilated causal Conv1d, chomp, parametrizations.weight_norm
    "neural_ode_rk4.py": 1e-4,  # neural ODE: hand-written RK4, RMSprop, functional.jacobian
    "bayesian_nn.py": 1e-4,  # Bayes by backprop: Normal.rsample, kl_divergence, Independent
    "gp_regression.py": 1e-6,  # float64 GP: cholesky, cholesky_solve, solve_triangular, MVN
    "mf_recommender_bpr.py": 1e-4,  # BPR matrix factorization: Embedding, logsigmoid, topk
    "moe_ema.py": 1e-4,  # top-2 mixture of experts, index_add, EMA with lerp_/mul_().add_()
    "mixup_accum.py": 1e-4,  # mixup/cutmix, label smoothing, accumulation, warm restarts
    "kmeans_pca.py": 1e-4,  # k-means++ with cdist/multinomial, PCA by svd and pca_lowrank
    "gumbel_vae.py": 1e-4,  # categorical VAE: gumbel_softmax(hard=True), tau annealing
    "pointer_network.py": 1e-4,  # pointer net: LSTMCell decoder, masked attention, gather
    "deepsets_hypernet.py": 1e-4,  # Deep Sets; hypernetwork with functional_call and vmap
    "data_pipeline_checkpoint.py": 1e-4,  # WeightedRandomSampler, orthogonal, checkpoint, BytesIO
    "fno_spectral.py": 1e-4,  # Fourier neural operator: rfft/irfft, cfloat Parameter, einsum
    "llama_complex_rope.py": 1e-4,  # LLaMA's reference RoPE: polar, view_as_complex/real
    "llama_rope.py": 1e-4,  # RMSNorm, rotate_half RoPE, SwiGLU, SDPA is_causal, KV cache decoding
    "swa_superres.py": 1e-4,  # ESPCN PixelShuffle, bicubic pairs, AveragedModel/SWALR/update_bn
    "wgan_gp.py": 1e-4,  # gradient penalty by autograd.grad(create_graph=True), n_critic steps
    "ctc_recognizer.py": 1e-4,  # Conv1d + BiGRU, CTCLoss with lengths, unique_consecutive decoding
    "gradcam_hooks.py": 1e-4,  # forward/full-backward/pre hooks, Grad-CAM, retain_grad, saliency
    "nerf_render.py": 1e-4,  # positional encoding, cumprod transmittance, searchsorted sampling
    "transe_kg.py": 1e-4,  # TransE: Embedding(max_norm), MarginRankingLoss, filtered ranks
    "finetune_unfreeze.py": 1e-4,  # freezing, add_param_group, checkpoint_sequential, datasets
    "glm_distributions.py": 1e-4,  # Normal/Poisson/Laplace/LogNormal likelihoods, shapes, checks
    "pixelcnn_masked.py": 1e-4,  # masked Conv2d subclass, 4-d cross_entropy, pixel sampling
    "multilabel_tagging.py": 1e-4,  # EmbeddingBag, pos_weight, soft margin, CyclicLR, F1/AP/NDCG
    "dp_sgd_per_sample.py": 1e-4,  # vmap(grad) per-sample gradients, clipping, noise (DP-SGD)
    "dann_custom_optim.py": 1e-4,  # gradient reversal Function, STE, Optimizer subclass (Lion)
    "hessian_influence.py": 1e-6,  # float64: hessian/hvp/vhp/jvp, CG solve, influence functions
    "mobilenet_se.py": 1e-4,  # depthwise convs, SE, hardswish, DropPath, channels_last, RMSprop
    "ebm_langevin.py": 1e-4,  # score matching, Langevin sampling by input grads, spectral_norm
    "capsnet_routing.py": 1e-4,  # capsules: squash, einsum predictions, routing by agreement
    "rnn_variants.py": 1e-4,  # RNN relu, LSTM proj_size, GRUCell, pack_sequence, MHA kdim/vdim
    "lazy_streaming.py": 1e-4,  # Lazy conv/norm/linear, ChainDataset via +, StackDataset, load
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
