# A program in the shape of pytorch/examples' reinforcement_learning/reinforce.py (written for
# this test, not copied): a policy network samples actions from a Categorical, the episode's
# discounted returns are normalized with float32's eps, and the REINFORCE loss is minimized
# with Adam. The gym CartPole is replaced by a small deterministic balance game in numpy.
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.distributions import Categorical


class Balance:
    """A pole angle that drifts; action 0 pushes it left, 1 right; done past 0.5 or 40 steps."""

    def reset(self, seed):
        self.rng = np.random.RandomState(seed)
        self.state = self.rng.uniform(-0.05, 0.05, size=4)
        self.t = 0
        return self.state

    def step(self, action):
        force = 0.02 if action == 1 else -0.02
        x, v, a, w = self.state
        w = w + 0.5 * a + force
        a = a + 0.1 * w
        v = v + force
        x = x + 0.1 * v
        self.state = np.array([x, v, a, w])
        self.t += 1
        done = abs(a) > 0.5 or self.t >= 40
        return self.state, 1.0, done


class Policy(nn.Module):
    def __init__(self):
        super(Policy, self).__init__()
        self.affine1 = nn.Linear(4, 32)
        self.dropout = nn.Dropout(p=0.6)
        self.affine2 = nn.Linear(32, 2)
        self.saved_log_probs = []
        self.rewards = []

    def forward(self, x):
        x = self.affine1(x)
        x = self.dropout(x)
        x = F.relu(x)
        action_scores = self.affine2(x)
        return F.softmax(action_scores, dim=1)


torch.manual_seed(543)
policy = Policy()
optimizer = optim.Adam(policy.parameters(), lr=1e-2)
eps = np.finfo(np.float32).eps.item()
env = Balance()
gamma = 0.99


def select_action(state):
    state = torch.from_numpy(state).float().unsqueeze(0)
    probs = policy(state)
    m = Categorical(probs)
    action = m.sample()
    policy.saved_log_probs.append(m.log_prob(action))
    return action.item()


def finish_episode():
    R = 0
    policy_loss = []
    returns = []
    for r in policy.rewards[::-1]:
        R = r + gamma * R
        returns.insert(0, R)
    returns = torch.tensor(returns)
    returns = (returns - returns.mean()) / (returns.std() + eps)
    for log_prob, R in zip(policy.saved_log_probs, returns):
        policy_loss.append(-log_prob * R)
    optimizer.zero_grad()
    policy_loss = torch.cat(policy_loss).sum()
    policy_loss.backward()
    optimizer.step()
    del policy.rewards[:]
    del policy.saved_log_probs[:]
    return policy_loss


running_reward = 10
for i_episode in range(1, 9):
    state, ep_reward = env.reset(i_episode), 0
    for t in range(1, 100):
        action = select_action(state)
        state, reward, done = env.step(action)
        policy.rewards.append(reward)
        ep_reward += reward
        if done:
            break
    running_reward = 0.05 * ep_reward + (1 - 0.05) * running_reward
    loss = finish_episode()
    print(
        "Episode {}\tLast reward: {:.2f}\tAverage reward: {:.2f}\tloss {:.5f}".format(
            i_episode, ep_reward, running_reward, loss.item()
        )
    )
print(loss.grad_fn, Categorical(torch.tensor([[0.25, 0.75]])).probs)
