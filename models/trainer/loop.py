"""The training loop both trainers share: AdamW, one-cycle learning rate, label smoothing.

Kept in one place so the digit and the clothing models are trained the same way; the order of
random draws is part of each model's reproducibility, so change it only with a retrain.
"""
import time

import torch
import torch.nn.functional as F


def fit(model, Xtr, Ytr, augment, gen, epochs, batch, lr, progress_every=0):
    """Trains `model` in place on (Xtr [N,1,28,28] float32, Ytr [N] int64); returns seconds spent.

    `augment(xb, gen)` perturbs a batch; `gen` is the seeded torch.Generator for shuffling and
    augmentation. Prints one line per epoch, and every `progress_every` steps if > 0.
    """
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
    steps = epochs * ((len(Ytr) + batch - 1) // batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps, pct_start=0.2)
    t0 = time.time()
    for ep in range(epochs):
        model.train()
        perm = torch.randperm(len(Ytr), generator=gen)
        tot, correct, n = 0.0, 0, 0
        for k in range(0, len(perm), batch):
            bi = perm[k:k + batch]
            xb, yb = augment(Xtr[bi], gen), Ytr[bi]
            logits = model(xb)
            loss = F.cross_entropy(logits, yb, label_smoothing=0.05)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            tot += loss.item() * len(bi)
            correct += (logits.argmax(1) == yb).sum().item()
            n += len(bi)
            if progress_every and (k // batch) % progress_every == 0:
                print(f"  epoch {ep + 1} step {k // batch}  {time.time() - t0:.0f}s", flush=True)
        print(f"epoch {ep + 1}/{epochs}  loss {tot / n:.4f}  train-aug acc {correct / n:.4f}  "
              f"{time.time() - t0:.0f}s", flush=True)
    return time.time() - t0
