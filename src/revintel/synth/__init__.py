"""The demo company: a seeded, vectorised German B2B manufacturer with planted ground truth."""

from revintel.synth._config import SynthConfig
from revintel.synth._generate import (
    SynthResult,
    generate,
    truth_path_for,
    write_demo_company,
    write_demo_exports,
)

__all__ = [
    "SynthConfig",
    "SynthResult",
    "generate",
    "truth_path_for",
    "write_demo_company",
    "write_demo_exports",
]
