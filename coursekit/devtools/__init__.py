"""What only tests, benchmarks, CI and the demo need: stand-in datasets, sample and synthetic
submissions, a throwaway PostgreSQL server, the demo, and the full-size and Colab-stack checks."""
