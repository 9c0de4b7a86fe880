#!/usr/bin/python3
"""Same-run FID timing baseline for Opacity's CPU route (bench/results/<machine>/fid.md).

Usage: /usr/bin/python3 bench/scipy/fid_compare.py OUT_DIR [N] [D]
Writes OUT_DIR/real.npy and OUT_DIR/fake.npy (float32, Inception-like: ReLU'd correlated Gaussians,
N x D each, default 5000 x 2048), then times on the same features, each in float64:
  statistics   np.mean + np.cov (pytorch-fid's calculate_activation_statistics on float64 activations)
  sqrtm route  pytorch-fid's calculate_frechet_distance: trace(scipy.linalg.sqrtm(s1 @ s2))
  eigh route   the symmetric route of FID_KID.md 8.2 in numpy: eigh(s1), M = D V^T s2 V D, eigvalsh(M)
  chol route   the Cholesky route (Opacity's default since v2) in LAPACK: L = cholesky(s1), M = L^T s2 L,
               eigvalsh(M) (scipy.linalg.cholesky, triangular products by np.tril + GEMM as LAPACK users would)
and prints one JSON object (values, wall seconds and process CPU seconds, all threads). fid_compare.sh runs this and `opacity fid-kid` in one go.
"""
import json
import os
import sys
import time

import numpy as np
import scipy
from scipy import linalg


def features(rng, n, d, shift):
    w = rng.standard_normal((d, d)).astype(np.float32) / np.float32(np.sqrt(d))
    z = rng.standard_normal((n, d)).astype(np.float32) @ w + np.float32(shift)
    return np.maximum(z, 0).astype(np.float32)


def main():
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 5000
    d = int(sys.argv[3]) if len(sys.argv) > 3 else 2048
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(2048)
    x, y = features(rng, n, d, 0.1), features(rng, n, d, 0.15)
    np.save(os.path.join(out, "real.npy"), x)
    np.save(os.path.join(out, "fake.npy"), y)
    x, y = x.astype(np.float64), y.astype(np.float64)

    t0, c0 = time.perf_counter(), time.process_time()
    mu1, mu2 = x.mean(axis=0), y.mean(axis=0)
    s1, s2 = np.cov(x, rowvar=False), np.cov(y, rowvar=False)
    t_stats, c_stats = time.perf_counter() - t0, time.process_time() - c0
    diff = mu1 - mu2
    base = diff.dot(diff) + np.trace(s1) + np.trace(s2)

    t0, c0 = time.perf_counter(), time.process_time()
    covmean, _ = linalg.sqrtm(s1.dot(s2), disp=False)
    if np.iscomplexobj(covmean):
        covmean = covmean.real
    fid_sqrtm = float(base - 2 * np.trace(covmean))
    t_sqrtm, c_sqrtm = time.perf_counter() - t0, time.process_time() - c0

    t0, c0 = time.perf_counter(), time.process_time()
    lam, v = np.linalg.eigh(s1)
    r = np.sqrt(np.clip(lam, 0, None))
    m = r[:, None] * (v.T @ s2 @ v) * r[None, :]
    mu = np.linalg.eigvalsh((m + m.T) / 2)
    fid_eigh = float(base - 2 * np.sum(np.sqrt(np.clip(mu, 0, None))))
    t_eigh, c_eigh = time.perf_counter() - t0, time.process_time() - c0

    t0, c0 = time.perf_counter(), time.process_time()
    low = linalg.cholesky(s1, lower=True)
    m = low.T @ s2 @ low
    mu = np.linalg.eigvalsh((m + m.T) / 2)
    fid_chol = float(base - 2 * np.sum(np.sqrt(np.clip(mu, 0, None))))
    t_chol, c_chol = time.perf_counter() - t0, time.process_time() - c0

    print(json.dumps(dict(n=n, d=d, numpy=np.__version__, scipy=scipy.__version__,
                          statistics_seconds=t_stats, sqrtm_seconds=t_sqrtm, eigh_seconds=t_eigh,
                          chol_seconds=t_chol,
                          statistics_cpu_seconds=c_stats, sqrtm_cpu_seconds=c_sqrtm, eigh_cpu_seconds=c_eigh,
                          chol_cpu_seconds=c_chol,
                          fid_sqrtm=fid_sqrtm, fid_eigh=fid_eigh, fid_chol=fid_chol)))


if __name__ == "__main__":
    main()
