"""Layers both trainers' CNNs share."""
import torch.nn as nn


def classifier_head(feature_size):
    """The 2 fully connected layers after a CNN's convolutions: flatten, dropout 0.3, a hidden
    layer of 128, dropout 0.3, and the 10 raw logits. Layers are made (and their weights drawn) in
    that order, as the checked-in models were trained."""
    return nn.Sequential(
        nn.Flatten(),
        nn.Dropout(0.3), nn.Linear(feature_size, 128), nn.ReLU(),
        nn.Dropout(0.3), nn.Linear(128, 10),
    )
