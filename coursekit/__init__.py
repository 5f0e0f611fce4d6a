"""Course kit: the helpers every lesson notebook shares.

Modules listed in ``coursekit.build.INJECTED_MODULES`` are copied verbatim into the
locked setup cell of each notebook by ``make build`` (so a Colab student installs
nothing); they therefore import only the standard library, numpy, tensorflow and
keras, and never import each other.  The other modules (build, standins, demo,
grading) are tools for instructors, tests and CI.
"""
