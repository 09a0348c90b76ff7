# PPO with a Gaussian policy on a toy continuous-control task (reach a random target in 2-D),
# in the shape of the popular minimal PPO implementations: an actor-critic with a learned
# log_std nn.Parameter, Normal(mu, std).sample/log_prob(...).sum(-1)/entropy, rollouts under
# torch.no_grad(), generalized advantage estimation in a reversed loop, normalised advantages,
# the clipped surrogate objective with torch.min/torch.clamp, minibatches from torch.randperm,
# gradient clipping, and a few epochs per update.
import torch
import torch.nn as nn
from torch.distributions import Normal

torch.manual_seed(123)
obs_dim, act_dim = 4, 2


class ActorCritic(nn.Module):
    def __init__(self):
        super().__init__()
        self.actor = nn.Sequential(nn.Linear(obs_dim, 32), nn.Tanh(), nn.Linear(32, act_dim))
        self.critic = nn.Sequential(nn.Linear(obs_dim, 32), nn.Tanh(), nn.Linear(32, 1))
        self.log_std = nn.Parameter(torch.zeros(act_dim) - 0.5)

    def dist(self, obs):
        return Normal(self.actor(obs), self.log_std.exp().expand(obs.shape[0], act_dim))

    def act(self, obs):
        d = self.dist(obs)
        a = d.sample()
        return a, d.log_prob(a).sum(-1), self.critic(obs).squeeze(-1)


class ReachEnv:
    """obs = (position, target); reward = -distance; an action moves the position."""

    def __init__(self, n):
        self.n = n

    def reset(self):
        self.pos = torch.zeros(self.n, 2)
        self.target = torch.rand(self.n, 2) * 2 - 1
        self.t = 0
        return torch.cat([self.pos, self.target], 1)

    def step(self, action):
        self.pos = self.pos + 0.1 * action.clamp(-1, 1)
        self.t += 1
        reward = -(self.pos - self.target).norm(dim=1)
        done = torch.full((self.n,), float(self.t >= 10))
        return torch.cat([self.pos, self.target], 1), reward, done


env = ReachEnv(8)
ac = ActorCritic()
optimizer = torch.optim.Adam(ac.parameters(), lr=3e-3, eps=1e-5)
gamma, lam, clip, epochs, minibatch = 0.99, 0.95, 0.2, 3, 20

for update in range(6):
    obs_buf, act_buf, logp_buf, val_buf, rew_buf, done_buf = [], [], [], [], [], []
    obs = env.reset()
    with torch.no_grad():
        for t in range(10):
            a, logp, v = ac.act(obs)
            next_obs, r, d = env.step(a)
            for buf, x in zip((obs_buf, act_buf, logp_buf, val_buf, rew_buf, done_buf), (obs, a, logp, v, r, d)):
                buf.append(x)
            obs = next_obs
        last_val = ac.critic(obs).squeeze(-1)
    rewards, values, dones = torch.stack(rew_buf), torch.stack(val_buf), torch.stack(done_buf)
    advantages = torch.zeros_like(rewards)
    lastgaelam = torch.zeros(env.n)
    for t in reversed(range(10)):
        next_value = last_val if t == 9 else values[t + 1]
        nonterminal = 1.0 - dones[t]
        delta = rewards[t] + gamma * next_value * nonterminal - values[t]
        advantages[t] = lastgaelam = delta + gamma * lam * nonterminal * lastgaelam
    returns = advantages + values
    b_obs = torch.stack(obs_buf).reshape(-1, obs_dim)
    b_act = torch.stack(act_buf).reshape(-1, act_dim)
    b_logp, b_adv, b_ret = torch.stack(logp_buf).reshape(-1), advantages.reshape(-1), returns.reshape(-1)
    b_adv = (b_adv - b_adv.mean()) / (b_adv.std() + 1e-8)
    for epoch in range(epochs):
        perm = torch.randperm(b_obs.shape[0])
        for start in range(0, b_obs.shape[0], minibatch):
            idx = perm[start : start + minibatch]
            d = ac.dist(b_obs[idx])
            new_logp = d.log_prob(b_act[idx]).sum(-1)
            entropy = d.entropy().sum(-1).mean()
            ratio = (new_logp - b_logp[idx]).exp()
            surr1 = ratio * b_adv[idx]
            surr2 = torch.clamp(ratio, 1.0 - clip, 1.0 + clip) * b_adv[idx]
            policy_loss = -torch.min(surr1, surr2).mean()
            value_loss = 0.5 * (ac.critic(b_obs[idx]).squeeze(-1) - b_ret[idx]).pow(2).mean()
            loss = policy_loss + 0.5 * value_loss - 0.01 * entropy
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(ac.parameters(), 0.5)
            optimizer.step()
        approx_kl = (b_logp[idx] - new_logp).mean().item()
    print(
        f"update {update} mean reward {rewards.mean().item():.4f} policy {policy_loss.item():.5f} "
        f"value {value_loss.item():.5f} entropy {entropy.item():.4f} kl {approx_kl:.5f} "
        f"std {ac.log_std.exp().tolist()}"
    )
