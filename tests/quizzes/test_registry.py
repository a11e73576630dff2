"""The question-type registry under a threaded server."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_threads_asking_at_once_on_a_fresh_registry_all_get_the_type():
    # A fresh interpreter: the registry has not loaded its built-in types yet, as in a newly
    # started server whose first requests arrive together.
    code = textwrap.dedent("""
        import threading
        from quizzes.registry import get_type
        barrier = threading.Barrier(16)
        missing = []
        def ask():
            barrier.wait()
            for name in ("single_choice", "matching", "ordering"):
                if get_type(name) is None:
                    missing.append(name)
        threads = [threading.Thread(target=ask) for _ in range(16)]
        for t in threads: t.start()
        for t in threads: t.join()
        print(len(missing))
    """)
    for _ in range(3):
        result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
        assert result.stdout.strip() == "0", result.stdout + result.stderr
