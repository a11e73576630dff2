"""Run the benchmarks and print their figures: `make bench`, or one of them with
`make bench BENCH_ARGS="--only quiz --seconds 10"`."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from bench import admin_scale, catalogue, certificates, class_progress, lesson_page, quiz_submit

BENCHMARKS = {"lesson": lesson_page.run, "quiz": quiz_submit.run, "certificates": certificates.run,
              "class": class_progress.run, "admin": admin_scale.run, "catalogue": catalogue.run}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", choices=sorted(BENCHMARKS), action="append")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each load run")
    args = parser.parse_args()
    results = []
    for name in args.only or BENCHMARKS:
        result = BENCHMARKS[name](seconds=args.seconds)
        results.append(result)
        print(json.dumps(result, ensure_ascii=False, indent=2))
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    failed = [r["name"] for r in results if not r.get("ok")]
    print("goals met" if not failed else f"goals missed: {', '.join(failed)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
