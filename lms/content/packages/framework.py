"""The competence framework (``framework.yaml`` at the top of the courses directory): the
areas and competences that courses are tagged with.
"""
from __future__ import annotations

from pathlib import Path

from lms.content.i18n import N_
from lms.content.packages.checker import Checker
from lms.content.packages.specs import AreaSpec, CompetenceSpec, FrameworkSpec, Problem
from lms.content.packages.yaml_lines import LineDict, load_yaml

FRAMEWORK = "framework.yaml"


def load_framework(courses_dir: Path) -> tuple[FrameworkSpec | None, list[Problem]]:
    """Read and check ``framework.yaml`` of a courses directory."""
    path = courses_dir / FRAMEWORK
    rel = FRAMEWORK
    if not path.is_file():
        return None, [Problem(rel, None, N_("the framework file is missing; courses cannot be tagged with competences"))]
    data, problems = load_yaml(path, rel)
    if problems:
        return None, problems
    check = Checker(rel)
    if not isinstance(data, LineDict):
        return None, [Problem(rel, 1, N_("the framework must be a mapping with 'id' and 'areas'"))]
    fid = check.text(data, "id", "framework", max_len=60)
    areas_raw = data.get("areas")
    areas: list[AreaSpec] = []
    seen: set[str] = set()
    if not isinstance(areas_raw, list) or not areas_raw:
        check.error(data.line_of("areas"), N_("framework: 'areas' must be a non-empty list"))
    else:
        for a_i, area in enumerate(areas_raw, 1):
            if not isinstance(area, LineDict):
                check.error(data.line_of("areas"), N_("framework: area %(n)s must be a mapping"), n=a_i)
                continue
            where = f"area {a_i}"
            code = check.text(area, "code", where, max_len=16)
            vi, en = check.bilingual(area, "title", where)
            comps: list[CompetenceSpec] = []
            raw = area.get("competences")
            if not isinstance(raw, list) or not raw:
                check.error(area.line_of("competences"), N_("%(where)s: 'competences' must be a non-empty list"), where=where)
                raw = []
            for c_i, comp in enumerate(raw, 1):
                if not isinstance(comp, LineDict):
                    check.error(area.line_of("competences"), N_("%(where)s: competence %(n)s must be a mapping"),
                                where=where, n=c_i)
                    continue
                cwhere = f"{where} competence {c_i}"
                ccode = check.text(comp, "code", cwhere, max_len=16)
                cvi, cen = check.bilingual(comp, "title", cwhere)
                if ccode and ccode in seen:
                    check.error(comp.line_of("code"), N_("%(where)s: the code '%(code)s' is used twice"), where=cwhere, code=ccode)
                elif ccode and cvi:
                    seen.add(ccode)
                    comps.append(CompetenceSpec(ccode, cvi, cen))
            if code and code in seen:
                check.error(area.line_of("code"), N_("%(where)s: the code '%(code)s' is used twice"), where=where, code=code)
            elif code and vi:
                seen.add(code)
                areas.append(AreaSpec(code, vi, en, comps))
    errors = [p for p in check.problems if p.is_error]
    if errors or not fid:
        return None, check.problems
    return FrameworkSpec(fid, areas), check.problems
