#!/usr/bin/python3
"""Regenerates sequential.pt, data_branch.pt and skip_connection.pt: the 3-4-2 network of make_fixture.py as an
nn.Sequential (read exactly), behind a branch on the data (refused: 16 random samples cannot see the branch),
and with a skip connection (refused: not a Linear/ReLU chain). Needs PyTorch (Debian: python3-torch)."""
import torch

from make_fixture import B1, B2, W1, W2


def fill(fc1, fc2):
    with torch.no_grad():
        fc1.weight.copy_(torch.tensor(W1))
        fc1.bias.copy_(torch.tensor(B1))
        fc2.weight.copy_(torch.tensor(W2))
        fc2.bias.copy_(torch.tensor(B2))


class TwoLayers(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(3, 4)
        self.fc2 = torch.nn.Linear(4, 2)
        fill(self.fc1, self.fc2)


class DataBranch(TwoLayers):
    def forward(self, x):
        y = self.fc2(torch.relu(self.fc1(x)))
        if bool(x.abs().max() > 10.0):
            y = -y
        return y


class SkipConnection(TwoLayers):
    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x))) + x[:, 0:2]


if __name__ == "__main__":
    seq = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    fill(seq[0], seq[2])
    for name, module in [("sequential", seq), ("data_branch", DataBranch()), ("skip_connection", SkipConnection())]:
        torch.jit.script(module.eval()).save(name + ".pt")
