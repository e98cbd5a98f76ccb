"""Schemes and the grading rules of GRADING.md: pure functions over exact decimals."""
