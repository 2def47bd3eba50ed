"""Welch's t-test between two groups of per-seed scores (standard library only).

    python3 results/welch.py "88.32 88.25 88.43" "88.36 88.23 87.46"

prints each group's mean and sample standard deviation, the difference, Welch's t, its degrees of
freedom and the two-sided p-value (Student's t density integrated numerically by Simpson's rule).
"""

import math
import statistics as st
import sys


def t_density(x, df):
    return math.gamma((df + 1) / 2) / (math.sqrt(df * math.pi) * math.gamma(df / 2)) * (
        1 + x * x / df
    ) ** (-(df + 1) / 2)


def two_sided_p(t, df, steps=200_000, upper=2_000.0):
    a = abs(t)
    h = (upper - a) / steps
    total = t_density(a, df) + t_density(upper, df)
    for i in range(1, steps):
        total += (4 if i % 2 else 2) * t_density(a + i * h, df)
    return 2 * total * h / 3


def welch(a, b):
    """Welch's t, its degrees of freedom and the two-sided p-value for groups a and b."""
    va, vb = st.variance(a) / len(a), st.variance(b) / len(b)
    t = (st.mean(a) - st.mean(b)) / math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    return t, df, two_sided_p(t, df)


def main():
    a, b = ([float(x) for x in arg.split()] for arg in sys.argv[1:3])
    t, df, p = welch(a, b)
    for name, xs in (("a", a), ("b", b)):
        print(f"{name}: {st.mean(xs):.2f} ± {st.stdev(xs):.2f} (n = {len(xs)})")
    print(f"a - b = {st.mean(a) - st.mean(b):.2f}; Welch t = {t:.2f}, df = {df:.1f}, two-sided p = {p:.3f}")


if __name__ == "__main__":
    main()
