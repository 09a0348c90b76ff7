# A tiny Vision Transformer: patches embedded by a strided Conv2d (and checked against the
# unfold route), a learnable cls token and position embedding as nn.Parameters with
# trunc_normal_ init, nn.TransformerEncoderLayer(batch_first=True, norm_first=True, GELU),
# classification from the cls token, AdamW with no weight decay on norms/biases/embeddings,
# LinearLR warmup followed by cosine through SequentialLR, gradient clipping.
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(2)


class PatchEmbed(nn.Module):
    def __init__(self, img_size=8, patch=4, in_ch=1, dim=16):
        super().__init__()
        self.proj = nn.Conv2d(in_ch, dim, kernel_size=patch, stride=patch)
        self.num_patches = (img_size // patch) ** 2

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)


class ViT(nn.Module):
    def __init__(self, num_classes=3, dim=16, depth=2, heads=4):
        super().__init__()
        self.patch_embed = PatchEmbed(dim=dim)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, self.patch_embed.num_patches + 1, dim))
        nn.init.trunc_normal_(self.pos_embed, std=0.02)
        nn.init.trunc_normal_(self.cls_token, std=0.02)
        layer = nn.TransformerEncoderLayer(dim, heads, dim_feedforward=32, dropout=0.0, activation="gelu", batch_first=True, norm_first=True)
        self.blocks = nn.TransformerEncoder(layer, depth, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, num_classes)

    def forward(self, x):
        x = self.patch_embed(x)
        cls = self.cls_token.expand(x.shape[0], -1, -1)
        x = torch.cat((cls, x), dim=1) + self.pos_embed
        x = self.norm(self.blocks(x))
        return self.head(x[:, 0])


def make_data(n):
    y = torch.randint(0, 3, (n,))
    x = torch.randn(n, 1, 8, 8) * 0.3
    x[y == 0, :, :4, :4] += 1.0
    x[y == 1, :, 4:, 4:] += 1.0
    x[y == 2, :, :, 3:5] += 1.0
    return x, y


model = ViT()
pe = model.patch_embed.proj
x, y = make_data(4)
patches = F.unfold(x, kernel_size=4, stride=4).transpose(1, 2)
via_unfold = patches @ pe.weight.view(16, -1).T + pe.bias
print("conv == unfold patchify:", torch.allclose(model.patch_embed(x), via_unfold, atol=1e-6))

decay, no_decay = [], []
for name, p in model.named_parameters():
    (no_decay if p.ndim < 2 or "token" in name or "pos_embed" in name else decay).append(p)
print("params:", sum(p.numel() for p in model.parameters()), "decay", len(decay), "no_decay", len(no_decay))
opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05}, {"params": no_decay, "weight_decay": 0.0}], lr=3e-3)
warm = torch.optim.lr_scheduler.LinearLR(opt, start_factor=0.1, total_iters=5)
cos = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=25)
sched = torch.optim.lr_scheduler.SequentialLR(opt, [warm, cos], milestones=[5])
for step in range(30):
    x, y = make_data(32)
    loss = F.cross_entropy(model(x), y)
    opt.zero_grad()
    loss.backward()
    gn = nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    sched.step()
    if step % 6 == 0:
        print(f"step {step:2d} loss {loss.item():.5f} grad norm {gn.item():.4f} lr {opt.param_groups[0]['lr']:.6f}")
model.eval()
with torch.no_grad():
    x, y = make_data(64)
    acc = (model(x).argmax(-1) == y).float().mean().item()
print(f"accuracy {acc:.4f}")
