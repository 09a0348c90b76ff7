# Graph neural networks on a small synthetic graph, written the way PyTorch users do without
# PyTorch Geometric: a GCN layer with symmetric normalization from an edge_index (degrees with
# scatter_add_, messages aggregated with index_add_), and a GAT-style layer whose attention is
# a softmax over each node's incoming edges (scatter_reduce amax, scatter_add_ of exps);
# node classification with boolean train/test masks and Adam with weight decay.
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(7)

num_nodes, num_feats, num_classes = 40, 8, 2
labels = (torch.arange(num_nodes) >= num_nodes // 2).long()
x = torch.randn(num_nodes, num_feats) + labels.unsqueeze(1).float() * 0.8
# communities: dense inside, sparse between
src, dst = [], []
for i in range(num_nodes):
    for j in range(num_nodes):
        same = labels[i] == labels[j]
        if i != j and torch.rand(1).item() < (0.2 if same else 0.02):
            src.append(i)
            dst.append(j)
edge_index = torch.tensor([src, dst], dtype=torch.long)
edge_index = torch.cat([edge_index, edge_index.flip(0)], dim=1).unique(dim=1)
print("edges", edge_index.shape, "dtype", edge_index.dtype)


def add_self_loops(edge_index, num_nodes):
    loops = torch.arange(num_nodes).unsqueeze(0).repeat(2, 1)
    return torch.cat([edge_index, loops], dim=1)


class GCNLayer(nn.Module):
    def __init__(self, in_dim, out_dim):
        super().__init__()
        self.lin = nn.Linear(in_dim, out_dim, bias=False)
        self.bias = nn.Parameter(torch.zeros(out_dim))

    def forward(self, x, edge_index):
        edge_index = add_self_loops(edge_index, x.size(0))
        row, col = edge_index
        deg = torch.zeros(x.size(0)).scatter_add_(0, col, torch.ones(col.size(0)))
        deg_inv_sqrt = deg.pow(-0.5)
        deg_inv_sqrt[deg_inv_sqrt == float("inf")] = 0
        norm = deg_inv_sqrt[row] * deg_inv_sqrt[col]
        h = self.lin(x)
        out = torch.zeros_like(h).index_add_(0, col, norm.view(-1, 1) * h[row])
        return out + self.bias


class GATLayer(nn.Module):
    def __init__(self, in_dim, out_dim, negative_slope=0.2):
        super().__init__()
        self.lin = nn.Linear(in_dim, out_dim, bias=False)
        self.att_src = nn.Parameter(torch.empty(out_dim))
        self.att_dst = nn.Parameter(torch.empty(out_dim))
        nn.init.normal_(self.att_src, std=0.1)
        nn.init.normal_(self.att_dst, std=0.1)
        self.negative_slope = negative_slope

    def forward(self, x, edge_index):
        edge_index = add_self_loops(edge_index, x.size(0))
        src, dst = edge_index
        h = self.lin(x)
        e = F.leaky_relu((h * self.att_src).sum(-1)[src] + (h * self.att_dst).sum(-1)[dst], self.negative_slope)
        e_max = torch.full((x.size(0),), float("-inf")).scatter_reduce(0, dst, e, reduce="amax", include_self=True)
        e = (e - e_max[dst]).exp()
        denom = torch.zeros(x.size(0)).scatter_add_(0, dst, e)
        alpha = e / denom[dst]
        out = torch.zeros_like(h)
        out.index_add_(0, dst, alpha.unsqueeze(-1) * h[src])
        return out, alpha


class GCN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = GCNLayer(num_feats, 16)
        self.conv2 = GCNLayer(16, num_classes)
        self.dropout = nn.Dropout(0.5)

    def forward(self, x, edge_index):
        x = F.relu(self.conv1(x, edge_index))
        x = self.dropout(x)
        return self.conv2(x, edge_index)


class GAT(nn.Module):
    def __init__(self):
        super().__init__()
        self.gat1 = GATLayer(num_feats, 16)
        self.out = nn.Linear(16, num_classes)

    def forward(self, x, edge_index):
        h, alpha = self.gat1(x, edge_index)
        return self.out(F.elu(h)), alpha


perm = torch.randperm(num_nodes)
train_mask = torch.zeros(num_nodes, dtype=torch.bool)
train_mask[perm[:16]] = True
test_mask = ~train_mask

for Model in (GCN, GAT):
    torch.manual_seed(1)
    model = Model()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01, weight_decay=5e-4)
    for epoch in range(1, 31):
        model.train()
        optimizer.zero_grad()
        out = model(x, edge_index)
        if isinstance(out, tuple):
            out, alpha = out
        loss = F.cross_entropy(out[train_mask], labels[train_mask])
        loss.backward()
        optimizer.step()
        if epoch % 10 == 0:
            model.eval()
            with torch.no_grad():
                logits = model(x, edge_index)
                if isinstance(logits, tuple):
                    logits, alpha = logits
                pred = logits.argmax(dim=1)
                test_acc = (pred[test_mask] == labels[test_mask]).sum().item() / int(test_mask.sum())
            print(f"{Model.__name__} epoch {epoch:03d} loss {loss.item():.5f} test acc {test_acc:.4f}")
    if Model is GAT:
        dst = add_self_loops(edge_index, num_nodes)[1]
        sums = torch.zeros(num_nodes).index_add_(0, dst, alpha)
        print("attention sums to 1 per node:", torch.allclose(sums, torch.ones(num_nodes)))
