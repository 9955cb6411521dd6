"""Expected values for NmfServiceTests, computed by hand with Debian's scikit-learn 1.2.1.

Run with /usr/bin/python3 from this folder; it rewrites extra-cases.json and the .npy samples.
The tests only read the committed output; they never run Python.
"""
import json
import warnings

import numpy as np
import sklearn
from sklearn.decomposition import NMF

np.random.seed(0)
SEED = np.random.randint(0, 6, (5, 4)).astype(float)
r = np.random.RandomState(1)
RAND = r.rand(30, 12) * 5
POSITIVE = SEED + 1.0
r = np.random.RandomState(2)
WIDE = r.rand(40, 60) * 3


def case(name, X, fit_params, transform_X=None):
    model = NMF(random_state=0, **fit_params)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        W = model.fit_transform(X)
    out = {
        "name": name,
        "params": fit_params,
        "V": X.tolist(),
        "W": W.tolist(),
        "H": model.components_.tolist(),
        "reconstruction_err": model.reconstruction_err_,
        "n_iter": model.n_iter_,
        "warnings": [str(w.message) for w in caught],
    }
    if transform_X is not None:
        out["transform_V"] = transform_X.tolist()
        out["transform_W"] = model.transform(transform_X).tolist()
    return out


cases = [
    case("seed-cd-regularized", SEED, dict(n_components=2, init="nndsvda", solver="cd", max_iter=200, tol=0.0, alpha_W=0.1, alpha_H=0.05, l1_ratio=0.3)),
    case("seed-mu-regularized", SEED, dict(n_components=2, init="nndsvda", solver="mu", max_iter=200, tol=0.0, alpha_W=0.1, l1_ratio=0.5)),
    case("rand-mu-itakura-saito", RAND + 0.1, dict(n_components=3, init="nndsvda", solver="mu", beta_loss="itakura-saito", max_iter=200, tol=0.0)),
    case("rand-mu-beta-1.5", RAND, dict(n_components=3, init="nndsvda", solver="mu", beta_loss=1.5, max_iter=200, tol=0.0)),
    case("rand-mu-beta-3", RAND, dict(n_components=3, init="nndsvda", solver="mu", beta_loss=3.0, max_iter=200, tol=0.0)),
    case("rand-cd-random-init", RAND, dict(n_components=3, init="random", solver="cd", max_iter=200, tol=0.0)),
    case("seed-auto-init-rank5-random", SEED, dict(n_components=5, solver="cd", max_iter=200, tol=0.0)),
    case("seed-auto-init-rank2-nndsvda", SEED, dict(n_components=2, solver="cd", max_iter=200, tol=0.0)),
    case("rand-cd-tol", RAND, dict(n_components=4, init="nndsvda", solver="cd", max_iter=200, tol=1e-4)),
    case("rand-cd-tol-loose", RAND, dict(n_components=4, init="nndsvda", solver="cd", max_iter=200, tol=1e-2)),
    case("rand-mu-tol", RAND, dict(n_components=4, init="nndsvda", solver="mu", max_iter=500, tol=1e-4)),
    case("rand-cd-not-converged", RAND, dict(n_components=4, init="nndsvda", solver="cd", max_iter=5, tol=1e-4)),
    case("rand-cd-shuffle", RAND, dict(n_components=4, init="nndsvda", solver="cd", max_iter=200, tol=0.0, shuffle=True)),
    case("rand-cd-shuffle-tol", RAND, dict(n_components=4, init="nndsvda", solver="cd", max_iter=200, tol=1e-3, shuffle=True)),
    case("wide-cd-randomized-svd", WIDE, dict(n_components=3, init="nndsvd", solver="cd", max_iter=200, tol=0.0)),
    case("seed-cd-transform", SEED, dict(n_components=2, init="nndsvda", solver="cd", max_iter=200, tol=0.0),
         transform_X=np.array([[1.0, 2.0, 3.0, 4.0], [5.0, 0.0, 1.0, 2.0], [0.0, 0.0, 0.0, 1.0]])),
    case("seed-mu-transform", SEED, dict(n_components=2, init="nndsvda", solver="mu", max_iter=200, tol=0.0),
         transform_X=np.array([[1.0, 2.0, 3.0, 4.0], [5.0, 0.0, 1.0, 2.0], [0.0, 0.0, 0.0, 1.0]])),
]

with open("extra-cases.json", "w") as f:
    json.dump({"sklearn": sklearn.__version__, "cases": cases}, f, indent=1)

# .npy samples of one 3 x 4 matrix in every dtype and order the reader supports.
A = np.array([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]])
np.save("sample-f8-c.npy", A.astype("<f8"))
np.save("sample-f8-fortran.npy", np.asfortranarray(A.astype("<f8")))
np.save("sample-f4-c.npy", A.astype("<f4"))
np.save("sample-i4-fortran.npy", np.asfortranarray(A.astype("<i4")))
np.save("sample-i8-c.npy", A.astype("<i8"))
np.save("sample-f8-big-endian.npy", A.astype(">f8"))
np.save("sample-1d.npy", np.arange(4.0))
bad = A.astype("<f8")
bad[1, 2] = np.nan
np.save("sample-f8-nan.npy", bad)
neg = A.astype("<f8")
neg[2, 1] = -3.0
np.save("sample-f8-negative.npy", neg)
for c in cases:
    print(c["name"], c["reconstruction_err"], c["n_iter"], c["warnings"])
