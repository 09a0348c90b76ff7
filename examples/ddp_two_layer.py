"""The seed's two-layer network trained data-parallel: the batch of 64 is split across ranks.

Run on 2 processes of this machine (needs the mpi extra: pip install '.[mpi]'):

    python3 -m pyautograd.distributed.run -n 2 examples/ddp_two_layer.py

Every rank draws the same data and weights (one seed), keeps its share of the batch's columns
and computes the seed's loss on it; DistributedDataParallel averages the gradients over the
ranks in backward, so the learning rate is scaled by the number of ranks to take the seed's
full-batch step. The printed loss is the sum over all ranks: the same curve as
examples/two_layer_modern.py, whatever the number of processes.
"""

import pyautograd as torch
import pyautograd.distributed as dist
from pyautograd import nn

M, input_size, hidden_size, output_size = 64, 1000, 100, 10
learning_rate, epochs = 1e-6, 300


class TwoLayer(nn.Module):
    """The seed's network: y = w2 @ relu(w1 @ x + b1) + b2, samples in columns."""

    def __init__(self) -> None:
        super().__init__()
        self.w1 = nn.Parameter(torch.randn(hidden_size, input_size))
        self.w2 = nn.Parameter(torch.randn(output_size, hidden_size))
        self.b1 = nn.Parameter(torch.randn(hidden_size, 1))
        self.b2 = nn.Parameter(torch.randn(output_size, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.w2 @ (self.w1 @ x + self.b1).relu() + self.b2


dist.init()
rank, world = dist.get_rank(), dist.get_world_size()

torch.manual_seed(0)
x = torch.randn(input_size, M)
y = torch.randn(output_size, M)
model = dist.DistributedDataParallel(TwoLayer())  # rank 0's weights on every rank

lo, hi = rank * M // world, (rank + 1) * M // world  # this rank's columns of the batch
x_mine, y_mine = x[:, lo:hi].contiguous(), y[:, lo:hi].contiguous()

for t in range(epochs):
    y_pred = model(x_mine)
    loss = (y_pred - y_mine).pow(2).sum()
    loss.backward()  # gradients averaged over the ranks when this returns
    with torch.no_grad():
        for p in model.parameters():
            p -= learning_rate * world * p.grad
            p.grad.zero_()
        total = loss.detach().clone()
        dist.all_reduce(total)  # the full batch's loss, for printing
    if (t + 1) % 50 == 0 and rank == 0:
        print(t + 1, total.item())

if rank == 0:
    print(f"trained on {world} process(es), the batch of {M} split between them")
