"""Variants of lesson 03 (see tests/variants/__init__.py)."""
from tests.variants import correct, wrong  # noqa: F401

VARIANTS = []
