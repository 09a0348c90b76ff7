# DQN (Mnih et al. 2015) in the shape of the PyTorch reinforcement-learning tutorial, on a tiny
# deterministic grid-walk environment: replay memory built on collections.deque with
# random.sample, an epsilon-greedy policy, a target network synced via load_state_dict and a
# soft update, Q(s, a) picked with gather, Huber (smooth_l1) loss, clip_grad_value_/norm_.
import math
import random
from collections import deque, namedtuple

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim

random.seed(0)
torch.manual_seed(0)

Transition = namedtuple("Transition", ("state", "action", "next_state", "reward"))


class ReplayMemory:
    def __init__(self, capacity):
        self.memory = deque([], maxlen=capacity)

    def push(self, *args):
        self.memory.append(Transition(*args))

    def sample(self, batch_size):
        return random.sample(self.memory, batch_size)

    def __len__(self):
        return len(self.memory)


class Corridor:
    """positions 0..6, start at 3; action 0 left, 1 right; reward 1 at the right end."""

    def reset(self):
        self.pos = 3
        return self.obs()

    def obs(self):
        return torch.nn.functional.one_hot(torch.tensor(self.pos), 7).float()

    def step(self, action):
        self.pos += 1 if action == 1 else -1
        done = self.pos in (0, 6)
        return self.obs(), (1.0 if self.pos == 6 else -0.05), done


class DQN(nn.Module):
    def __init__(self, n_obs, n_actions):
        super().__init__()
        self.layer1 = nn.Linear(n_obs, 32)
        self.layer2 = nn.Linear(32, n_actions)

    def forward(self, x):
        return self.layer2(F.relu(self.layer1(x)))


policy_net, target_net = DQN(7, 2), DQN(7, 2)
target_net.load_state_dict(policy_net.state_dict())
optimizer = optim.AdamW(policy_net.parameters(), lr=1e-2, amsgrad=True)
memory = ReplayMemory(500)
BATCH, GAMMA, TAU = 16, 0.9, 0.05
steps_done = 0


def select_action(state):
    global steps_done
    eps = 0.05 + 0.9 * math.exp(-1.0 * steps_done / 60)
    steps_done += 1
    if random.random() > eps:
        with torch.no_grad():
            return policy_net(state).max(1).indices.view(1, 1)
    return torch.tensor([[random.randrange(2)]], dtype=torch.long)


def optimize_model():
    if len(memory) < BATCH:
        return None
    batch = Transition(*zip(*memory.sample(BATCH)))
    non_final_mask = torch.tensor(tuple(s is not None for s in batch.next_state), dtype=torch.bool)
    non_final_next = torch.cat([s for s in batch.next_state if s is not None])
    state_batch, action_batch = torch.cat(batch.state), torch.cat(batch.action)
    reward_batch = torch.cat(batch.reward)
    q = policy_net(state_batch).gather(1, action_batch)
    next_values = torch.zeros(BATCH)
    with torch.no_grad():
        next_values[non_final_mask] = target_net(non_final_next).max(1).values
    expected = next_values * GAMMA + reward_batch
    loss = nn.SmoothL1Loss()(q, expected.unsqueeze(1))
    optimizer.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_value_(policy_net.parameters(), 100)
    total = torch.nn.utils.clip_grad_norm_(policy_net.parameters(), max_norm=1.0)
    optimizer.step()
    return loss.item(), total.item()


env = Corridor()
for episode in range(12):
    state = env.reset().unsqueeze(0)
    ret, info = 0.0, None
    for t in range(20):
        action = select_action(state)
        obs, reward, done = env.step(action.item())
        ret += reward
        next_state = None if done else obs.unsqueeze(0)
        memory.push(state, action, next_state, torch.tensor([reward]))
        state = next_state
        info = optimize_model() or info
        tsd, psd = target_net.state_dict(), policy_net.state_dict()
        for key in psd:
            tsd[key] = psd[key] * TAU + tsd[key] * (1 - TAU)
        target_net.load_state_dict(tsd)
        if done:
            break
    if info is not None and episode % 3 == 0:
        print(f"episode {episode:2d} len {t + 1:2d} return {ret:.2f} loss {info[0]:.5f} grad norm {info[1]:.5f}")

with torch.no_grad():
    q_all = policy_net(torch.eye(7))
print("greedy actions:", q_all.argmax(dim=1).tolist())
print("Q values:\n", q_all.round(decimals=3))
