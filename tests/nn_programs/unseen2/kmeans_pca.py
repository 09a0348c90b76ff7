# Classic unsupervised tensor code: k-means++ initialization with torch.multinomial on
# squared distances, Lloyd iterations with torch.cdist/argmin and scatter-based centroid
# updates (index_add_ / bincount), inertia; then PCA by torch.linalg.svd of centered data,
# explained variance ratio, torch.pca_lowrank, and a reconstruction error; and lstsq.
import torch

torch.manual_seed(15)

centers_true = torch.tensor([[0.0, 0.0, 0.0, 0.0], [4.0, 4.0, 0.0, 0.0], [0.0, 4.0, 4.0, 1.0]])
X = torch.cat([c + torch.randn(30, 4) * 0.6 for c in centers_true])
X = X[torch.randperm(len(X))]


def kmeans_pp(X, k):
    centers = X[torch.randint(len(X), (1,))]
    for _ in range(1, k):
        d2 = torch.cdist(X, centers).min(dim=1).values ** 2
        centers = torch.cat([centers, X[torch.multinomial(d2 / d2.sum(), 1)]])
    return centers


def kmeans(X, k, iters=20):
    C = kmeans_pp(X, k)
    for i in range(iters):
        assign = torch.cdist(X, C).argmin(dim=1)
        sums = torch.zeros_like(C).index_add_(0, assign, X)
        counts = torch.bincount(assign, minlength=k).clamp(min=1).unsqueeze(1)
        newC = sums / counts
        if torch.allclose(newC, C):
            break
        C = newC
    inertia = ((X - C[assign]) ** 2).sum()
    return C, assign, inertia, i


C, assign, inertia, n_iter = kmeans(X, 3)
order = C[:, 0].argsort(stable=True)
print("centers:\n", C[order].round(decimals=3))
print(f"inertia {inertia.item():.4f} iterations {n_iter} sizes {torch.bincount(assign).sort().values.tolist()}")
_, counts = torch.unique(assign, return_counts=True)
print("unique counts sum:", counts.sum().item())

Xc = X - X.mean(dim=0, keepdim=True)
U, S, Vh = torch.linalg.svd(Xc, full_matrices=False)
explained = S**2 / (S**2).sum()
print("explained variance ratio:", explained.round(decimals=4).tolist())
Z = Xc @ Vh[:2].T
recon = Z @ Vh[:2] + X.mean(0)
print(f"2-component reconstruction mse {torch.mean((recon - X) ** 2).item():.5f}")
U2, S2, V2 = torch.pca_lowrank(X, q=2, center=True, niter=4)
print("pca_lowrank singular values match:", torch.allclose(S2, S[:2], rtol=1e-4), S2.round(decimals=3).tolist())
cov = torch.cov(Xc.T)
evals = torch.linalg.eigvalsh(cov).flip(0)
print("eigvalsh == S^2/(n-1):", torch.allclose(evals, S**2 / (len(X) - 1), rtol=1e-4, atol=1e-5))
A = torch.cat([X[:, :3], torch.ones(len(X), 1)], dim=1)
sol = torch.linalg.lstsq(A, X[:, 3:]).solution
print("lstsq coefficients:", sol.squeeze(1).round(decimals=4).tolist())
