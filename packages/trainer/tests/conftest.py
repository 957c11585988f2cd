import os
import sys

PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if PACKAGE_ROOT not in sys.path:
    sys.path.insert(0, PACKAGE_ROOT)

# Tests share a small machine with other jobs: one OpenMP thread per process (the trainer respects an explicit
# OMP_NUM_THREADS instead of claiming every core).
os.environ.setdefault("OMP_NUM_THREADS", "1")
