# Second-order tools on a small logistic regression, as in influence-function and
# Hessian-free code: the Hessian by torch.autograd.functional.hessian and torch.func.hessian,
# Hessian-vector products by double backward, autograd.functional.hvp/vhp and forward-mode
# (torch.func.jvp over grad), a conjugate-gradient solve of H x = g, influence scores of
# training points on a test loss, a Newton step, and torch.func.jacrev/jacfwd agreement.
import torch
import torch.nn.functional as F
from torch.func import grad, hessian, jacfwd, jacrev, jvp

torch.manual_seed(35)
torch.set_default_dtype(torch.float64)
n, d = 50, 4
X = torch.randn(n, d)
w_true = torch.tensor([1.5, -2.0, 0.5, 0.0])
y = (torch.sigmoid(X @ w_true) > torch.rand(n)).double()
lam = 1e-2


def loss_fn(w, X=X, y=y):
    return F.binary_cross_entropy_with_logits(X @ w, y) + 0.5 * lam * w.dot(w)


w = torch.zeros(d, requires_grad=True)
opt = torch.optim.LBFGS([w], lr=1, max_iter=50, line_search_fn="strong_wolfe")


def closure():
    opt.zero_grad()
    loss = loss_fn(w)
    loss.backward()
    return loss


opt.step(closure)
w_star = w.detach()
print(f"fitted w {w_star.round(decimals=4).tolist()} loss {loss_fn(w_star).item():.6f}")

H1 = torch.autograd.functional.hessian(loss_fn, w_star)
H2 = hessian(loss_fn)(w_star)
p = torch.sigmoid(X @ w_star)
H3 = (X.T * (p * (1 - p))) @ X / n + lam * torch.eye(d)
print("hessians agree:", torch.allclose(H1, H2), torch.allclose(H1, H3), f"cond {torch.linalg.cond(H1).item():.4f}")

v = torch.randn(d)
wr = w_star.clone().requires_grad_(True)
g = torch.autograd.grad(loss_fn(wr), wr, create_graph=True)[0]
hv_double = torch.autograd.grad(g, wr, grad_outputs=v)[0]
_, hv_fn = torch.autograd.functional.hvp(loss_fn, w_star, v)
_, vh_fn = torch.autograd.functional.vhp(loss_fn, w_star, v)
_, hv_fwd = jvp(grad(loss_fn), (w_star,), (v,))
print("hvp agree:", all(torch.allclose(hv_double, t) for t in (hv_fn, vh_fn, hv_fwd, H1 @ v)))


def conjugate_gradient(hvp, b, iters=20, tol=1e-10):
    x = torch.zeros_like(b)
    r = b.clone()
    p = r.clone()
    rs = r.dot(r)
    for i in range(iters):
        Ap = hvp(p)
        alpha = rs / p.dot(Ap)
        x = x + alpha * p
        r = r - alpha * Ap
        rs_new = r.dot(r)
        if rs_new.sqrt() < tol:
            break
        p = r + (rs_new / rs) * p
        rs = rs_new
    return x, i


x_test, y_test = torch.randn(1, d), torch.tensor([1.0])
g_test = grad(lambda w: loss_fn(w, x_test, y_test))(w_star)
s_test, iters = conjugate_gradient(lambda u: torch.autograd.functional.hvp(loss_fn, w_star, u)[1], g_test)
print(f"cg iterations {iters} residual ok {torch.allclose(H1 @ s_test, g_test, atol=1e-8)}")
per_example = torch.func.vmap(grad(lambda w, xi, yi: loss_fn(w, xi.unsqueeze(0), yi.unsqueeze(0))), in_dims=(None, 0, 0))(w_star, X, y)
influence = -per_example @ s_test
top = influence.abs().topk(3)
print("most influential:", top.indices.tolist(), influence[top.indices].round(decimals=6).tolist())
newton = w_star - torch.linalg.solve(H1, grad(loss_fn)(w_star))
print("newton step moves by", f"{(newton - w_star).norm().item():.3e}" if (newton - w_star).norm() > 1e-6 else "< 1e-6")
f = lambda w: torch.sigmoid(X[:3] @ w)
print("jacrev == jacfwd:", torch.allclose(jacrev(f)(w_star), jacfwd(f)(w_star)), tuple(jacrev(f)(w_star).shape))
