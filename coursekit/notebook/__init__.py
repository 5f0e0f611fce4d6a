"""The code every student notebook carries: packed into each lesson's locked setup cell by the
build, so a Colab student installs nothing. These modules import only the standard library,
numpy, TensorFlow, Keras and matplotlib - never each other or anything else in the kit
(tests/test_build.py checks it, and that their top-level names never collide)."""
