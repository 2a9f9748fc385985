#!/usr/bin/python3
"""Regenerates tiny_mlp.pt: a TorchScript archive of a 3-4-2 ReLU MLP with fixed weights.

Needs PyTorch (Debian: `apt-get install python3-torch`, then run with /usr/bin/python3). The weights are
fixed so the Java tests can check the outputs exactly; the file is committed, so the build never needs torch.
"""
import sys

import torch

W1 = [[0.5, -0.25, 1.0], [-1.0, 0.75, 0.5], [0.25, 0.5, -0.5], [1.5, -1.0, 0.25]]
B1 = [0.1, -0.2, 0.3, 0.0]
W2 = [[1.0, -0.5, 0.25, 0.75], [-0.5, 1.0, 0.5, -0.25]]
B2 = [0.05, -0.05]


class TinyMLP(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(3, 4)
        self.fc2 = torch.nn.Linear(4, 2)
        with torch.no_grad():
            self.fc1.weight.copy_(torch.tensor(W1))
            self.fc1.bias.copy_(torch.tensor(B1))
            self.fc2.weight.copy_(torch.tensor(W2))
            self.fc2.bias.copy_(torch.tensor(B2))

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else "tiny_mlp.pt"
    torch.jit.script(TinyMLP().eval()).save(out)
