#!/usr/bin/python3
"""Test only: runs scripts/models/llama.py with a planted bug, the cache length
frozen into the trace (`int(k.shape[2])`, as a user might write it), which its
trace check must refuse with a located error and a non-zero exit.

    plant_frozen_cache.py LLAMA_PY OUT_DIR [llama.py arguments]
"""
import sys

src = open(sys.argv[1]).read()
planted = src.replace("k.shape[2]", "int(k.shape[2])").replace("v.shape[2]", "int(v.shape[2])")
if planted == src:
    sys.exit("plant_frozen_cache.py: error: llama.py no longer reads k.shape[2]: update the plant")
sys.argv = [sys.argv[1]] + sys.argv[2:]
exec(compile(planted, sys.argv[0], "exec"), {"__name__": "__main__"})
