# A 1-d slice of NeRF (Mildenhall et al. 2020) as nerf-pytorch writes it: sinusoidal
# positional encoding, stratified samples along rays (torch.linspace + uniform jitter),
# volume rendering with alpha = 1 - exp(-relu(sigma) * delta) and transmittance by an
# exclusive torch.cumprod, hierarchical (importance) sampling by inverse-CDF with
# torch.searchsorted, and the fine samples merged with torch.sort.
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(27)


class Embedder:
    def __init__(self, n_freqs):
        self.freq_bands = 2.0 ** torch.linspace(0.0, n_freqs - 1, steps=n_freqs)

    def __call__(self, x):
        out = [x]
        for freq in self.freq_bands:
            for fn in (torch.sin, torch.cos):
                out.append(fn(x * freq))
        return torch.cat(out, -1)


embed = Embedder(4)
mlp = nn.Sequential(nn.Linear(9, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 2))


def true_density(z):
    return 8.0 * torch.exp(-((z - 0.6) ** 2) / 0.005)


def raw2outputs(raw, z_vals):
    dists = z_vals[..., 1:] - z_vals[..., :-1]
    dists = torch.cat([dists, torch.tensor([1e10]).expand(dists[..., :1].shape)], -1)
    rgb = torch.sigmoid(raw[..., 0])
    alpha = 1.0 - torch.exp(-F.relu(raw[..., 1]) * dists)
    trans = torch.cumprod(torch.cat([torch.ones((alpha.shape[0], 1)), 1.0 - alpha + 1e-10], -1), -1)[:, :-1]
    weights = alpha * trans
    return torch.sum(weights * rgb, -1), weights, torch.sum(weights * z_vals, -1)


def sample_pdf(bins, weights, n_samples, det=False):
    weights = weights + 1e-5
    pdf = weights / torch.sum(weights, -1, keepdim=True)
    cdf = torch.cumsum(pdf, -1)
    cdf = torch.cat([torch.zeros_like(cdf[..., :1]), cdf], -1)
    u = torch.linspace(0.0, 1.0, steps=n_samples).expand(list(cdf.shape[:-1]) + [n_samples]) if det else torch.rand(list(cdf.shape[:-1]) + [n_samples])
    u = u.contiguous()
    inds = torch.searchsorted(cdf, u, right=True)
    below = torch.max(torch.zeros_like(inds - 1), inds - 1)
    above = torch.min((cdf.shape[-1] - 1) * torch.ones_like(inds), inds)
    inds_g = torch.stack([below, above], -1)
    matched_shape = [inds_g.shape[0], inds_g.shape[1], cdf.shape[-1]]
    cdf_g = torch.gather(cdf.unsqueeze(1).expand(matched_shape), 2, inds_g)
    bins_g = torch.gather(bins.unsqueeze(1).expand(matched_shape), 2, inds_g)
    denom = cdf_g[..., 1] - cdf_g[..., 0]
    denom = torch.where(denom < 1e-5, torch.ones_like(denom), denom)
    t = (u - cdf_g[..., 0]) / denom
    return bins_g[..., 0] + t * (bins_g[..., 1] - bins_g[..., 0])


def stratified(n_rays, n_samples):
    t = torch.linspace(0.0, 1.0, steps=n_samples + 1)
    lower, upper = t[:-1].expand(n_rays, n_samples), t[1:].expand(n_rays, n_samples)
    return lower + (upper - lower) * torch.rand(n_rays, n_samples)


def render(z_vals, offsets):
    pts = (z_vals + offsets[:, None]).unsqueeze(-1)
    return raw2outputs(mlp(embed(pts)), z_vals)


opt = torch.optim.Adam(mlp.parameters(), lr=5e-3)
for it in range(60):
    offsets = 0.05 * torch.randn(16)
    z = stratified(16, 32)
    with torch.no_grad():
        _, w_true, depth_true = raw2outputs(torch.stack([torch.zeros_like(z), true_density(z + offsets[:, None])], -1), z)
    rgb, w, depth = render(z, offsets)
    loss = F.mse_loss(depth, depth_true) + 0.1 * F.mse_loss(rgb, torch.full_like(rgb, 0.5))
    opt.zero_grad()
    loss.backward()
    opt.step()
    if it % 15 == 0:
        print(f"iter {it:2d} loss {loss.item():.6f} depth[0] {depth[0].item():.5f} target {depth_true[0].item():.5f}")

with torch.no_grad():
    z = torch.linspace(0, 1, 16).expand(2, 16)
    _, w, _ = render(z, torch.zeros(2))
    mids = 0.5 * (z[..., 1:] + z[..., :-1])
    z_fine = sample_pdf(mids, w[..., 1:-1], 8, det=True)
    z_all, order = torch.sort(torch.cat([z, z_fine], -1), -1)
    print("fine samples:", z_fine[0].round(decimals=4).tolist())
    print("merged sorted:", bool((z_all[:, 1:] >= z_all[:, :-1]).all()), tuple(z_all.shape), order[0, :6].tolist())
    print("searchsorted:", torch.searchsorted(torch.tensor([0.0, 0.25, 0.5, 1.0]), torch.tensor([0.25, 0.3, 1.0, -1.0]), right=True).tolist(),
          torch.searchsorted(torch.tensor([0.0, 0.25, 0.5, 1.0]), torch.tensor([0.25, 0.3]), side="left").tolist())
