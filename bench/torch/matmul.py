"""The GFLOP/s of a square float32 matmul at each size: 2n^3 flops a product,
repeated until about `flops` have been done, after one warm-up product."""
import time

import torch


def gflops(sizes, flops):
    result = {}
    for n in sizes:
        g = torch.Generator().manual_seed(0)
        a, b = torch.randn(n, n, generator=g), torch.randn(n, n, generator=g)
        torch.mm(a, b)
        repeats = max(1, round(flops / (2 * n**3)))
        started = time.perf_counter()
        for _ in range(repeats):
            torch.mm(a, b)
        result[str(n)] = 2 * n**3 * repeats / (time.perf_counter() - started) / 1e9
    return result
