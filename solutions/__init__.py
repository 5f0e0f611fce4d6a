"""Reference implementations of every exercise, one module per lesson.

The ``### BEGIN SOLUTION`` / ``### END SOLUTION`` comments mark what students write: the build
copies each exercise's definition verbatim into the lesson's nbgrader master
(``source/<id>/<id>.ipynb``), and nbgrader turns those regions into ``# TODO`` stubs.
"""
