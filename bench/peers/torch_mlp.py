"""PyTorch side of `npm run bench -- compare`: fp32 training of an MLP 784-100-100-10 (batch 64, Adam with
torch's defaults, one thread) on the samples edgecl trains on, the best CPU time of EPOCHS epochs after a
warm-up epoch (as the Node side measures), and an fp32 GEMM 256 x 256 x 256. Prints one JSON line of CPU seconds (time.process_time), as the Node side measures
process.cpuUsage().

torch.set_num_threads(1) does not reach the OpenBLAS that Debian's torch calls for GEMMs: run this with
OPENBLAS_NUM_THREADS=1 (bench/compare.mjs does), or the CPU time of a GEMM counts two threads.

Usage: OPENBLAS_NUM_THREADS=1 python3 torch_mlp.py SAMPLES_FILE COUNT EPOCHS
SAMPLES_FILE holds COUNT x 784 float32 pixels (little-endian) followed by COUNT uint8 labels.
"""
import json
import sys
import time

import numpy as np
import torch

BATCH = 64
GEMM = 256
MIN_SECONDS = 1.0


def best(fn, passes=5, reps=20):
    """Best CPU time of one call, taken as the mean of `reps` calls in a row (one call is shorter than the
    clock's useful resolution), over at least `passes` such groups and MIN_SECONDS in all, after a warm-up."""
    fn()
    best_time, total, done = float("inf"), 0.0, 0
    while done < passes or total < MIN_SECONDS:
        t0 = time.process_time()
        for _ in range(reps):
            fn()
        dt = time.process_time() - t0
        best_time, total, done = min(best_time, dt / reps), total + dt, done + 1
    return best_time


def main():
    path, count, epochs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    torch.set_num_threads(1)
    torch.manual_seed(0)
    raw = np.fromfile(path, dtype=np.uint8)
    inputs = torch.from_numpy(raw[: count * 784 * 4].view("<f4").reshape(count, 784).copy())
    labels = torch.from_numpy(raw[count * 784 * 4 : count * 784 * 4 + count].astype(np.int64))

    model = torch.nn.Sequential(
        torch.nn.Linear(784, 100), torch.nn.ReLU(),
        torch.nn.Linear(100, 100), torch.nn.ReLU(),
        torch.nn.Linear(100, 10),
    )
    optimizer = torch.optim.Adam(model.parameters())
    loss_fn = torch.nn.CrossEntropyLoss()

    def epoch():
        for start in range(0, count - BATCH + 1, BATCH):
            optimizer.zero_grad()
            loss = loss_fn(model(inputs[start : start + BATCH]), labels[start : start + BATCH])
            loss.backward()
            optimizer.step()
        return loss.item()

    epoch()  # warm-up, as the Node side does
    epoch_seconds = float("inf")
    for _ in range(epochs):
        t0 = time.process_time()
        loss = epoch()
        epoch_seconds = min(epoch_seconds, time.process_time() - t0)

    g = torch.Generator().manual_seed(0)
    x = torch.randn(GEMM, GEMM, generator=g)
    w = torch.randn(GEMM, GEMM, generator=g) * 0.5
    gemm_seconds = best(lambda: torch.mm(x, w))

    print(json.dumps({
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "epochSeconds": epoch_seconds,
        "lastLoss": loss,
        "gemmSeconds": gemm_seconds,
    }))


if __name__ == "__main__":
    main()
