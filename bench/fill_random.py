"""Fast random draws for the fill (bench/fill_cases.py): one seeded generator shared by every part, so a seed
gives the same database whichever part draws."""

import random
from bisect import bisect
from itertools import accumulate


class Draws:
    """rnd(), ri(a, b) and pick(seq) over one random.Random (random.randint and random.choice are ten times
    slower per call)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        rnd = self.rnd = rng.random
        self.ri = lambda a, b: a + int(rnd() * (b - a + 1))
        self.pick = lambda seq: seq[int(rnd() * len(seq))]


class Picker:
    """Weighted choice by bisection on cumulative weights (much faster than random.choices per call)."""

    def __init__(self, rng: random.Random, weights: dict):
        self.items = list(weights)
        self.cumulative = list(accumulate(weights.values()))
        self.total = self.cumulative[-1]
        self.rng = rng

    def __call__(self):
        return self.items[bisect(self.cumulative, self.rng.random() * self.total)]
