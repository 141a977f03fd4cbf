"""python -m cact demo | config

demo    runs the seed document's seven examples through cact and prints their outputs
config  prints the build and thread configuration (cact.show_config())
"""
import argparse
import sys

import numpy as np

import cact

_X = np.array([-2, -1, 0, 1, 2])

# (name, the call as the seed writes it through cact, what the seed printed)
SEED_EXAMPLES = [
    ("sigmoid", lambda: cact.sigmoid(_X), "[0.11920292 0.26894142 0.5        0.73105858 0.88079708]"),
    ("relu", lambda: cact.relu(_X), "[0 0 0 1 2]"),
    ("leaky_relu", lambda: cact.leaky_relu(_X), "[-0.02 -0.01  0.    1.    2.  ]"),
    ("softmax", lambda: cact.softmax(np.array([1, 2, 3, 4, 5])),
     "[0.01165623 0.03168492 0.08612854 0.23412166 0.63640865]"),
    ("prelu", lambda: cact.prelu(_X, 0.01), "[-0.02 -0.01  0.    1.    2.  ]"),
    ("gelu", lambda: cact.gelu(_X), "[-0.04540231 -0.15880801  0.          0.84119199  1.95459769]"),
    ("elu", lambda: cact.elu(_X), "[-0.86466472 -0.63212056  0.          1.          2.        ]"),
]


def demo():
    print("The seed's examples through cact (x = [-2, -1, 0, 1, 2]; softmax of [1, 2, 3, 4, 5]):\n")
    for name, call, printed in SEED_EXAMPLES:
        print(f"{name:>10}: {call()}")
        print(f"{'seed':>10}: {printed}")
    print("\n(relu: the seed's NumPy keeps the integer dtype; cact computes integers in float64.)")
    print("\nDerivatives at the same x:")
    for name, f in [("sigmoid_grad", cact.sigmoid_grad), ("relu_grad", cact.relu_grad),
                    ("leaky_relu_grad", cact.leaky_relu_grad), ("gelu_grad", cact.gelu_grad),
                    ("elu_grad", cact.elu_grad)]:
        print(f"{name:>16}: {f(_X)}")
    print(f"{'softmax_grad':>16}: (vector-Jacobian product with g = [1, 0, 0, 0, 0]) "
          f"{cact.softmax_grad(np.array([1, 2, 3, 4, 5]), grad_output=np.eye(5)[0])}")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m cact", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("demo", help="run the seed's examples")
    sub.add_parser("config", help="print the build and thread configuration")
    args = parser.parse_args(argv)
    if args.command == "demo":
        demo()
    elif args.command == "config":
        cact.show_config()
    return 0


if __name__ == "__main__":
    sys.exit(main())
