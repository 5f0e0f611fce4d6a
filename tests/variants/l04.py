"""Variants of lesson 04 (see tests/variants/__init__.py)."""
from tests.variants import correct, wrong  # noqa: F401

VARIANTS = []
