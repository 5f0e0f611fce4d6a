"""The author's side: the lesson templates (lessons/*.py) and solutions (solutions/) built into
nbgrader masters (source/), release notebooks (release/) and student notebooks (notebooks/)."""
