"""Importing people and administrative units from spreadsheets (CSV or XLSX).

Plain functions, no request needed; the admin pages (``lms.admin.import_views``) and the
command line (``lms.admin.cli``) are thin wrappers. Every kind of import (people, places, and
whatever comes next, such as targets) shares the same steps and so the same modules:

=====================  ==================================================================
``files``              reading CSV/XLSX: size limits, encodings, delimiters, the first sheet
``headers``            finding the row of column names, matching names and aliases
``values``             a cell's value: clean text, phone numbers, birth years, groups, roles
``problems``           what is wrong with a file (``ImportFileError``) or a row (``Problem``)
``people``             the people file: columns, row checks, ``preview_people``
``places``             the units file: columns, row checks, ``preview_units``
``writing``            the commits, the only writes: ``import_people``, ``import_units``
``reports``            the report of rows with problems, ready to fix and import again
``templates``          blank files to fill in
=====================  ==================================================================

Two steps, so that nothing is written before an administrator has seen every row:

1. ``preview_people(data, filename, commune_id)`` reads the file and checks every row against
   the rules and the database. It writes nothing and returns a ``Preview`` whose rows carry
   their spreadsheet row number, their values and their problems (English message templates
   with parameters, translated where they are shown, like ``AccountError``).
2. ``import_people(preview, mode, actor)`` checks the rows again against the database as it
   is now and writes, in one transaction (see ``lms.imports.writing``).

Units (province → commune → village) work the same way with ``preview_units`` /
``import_units``, always all-or-nothing.

The names below are the package's public interface, for callers that use it as one namespace
(``from lms import imports``; ``imports.preview_people(…)``).
"""
from lms.imports.files import CSV_EXTENSIONS, MAX_FILE_BYTES, MAX_ROWS, XLSX_EXTENSIONS, safe_filename
from lms.imports.headers import match_header
from lms.imports.people import PEOPLE_COLUMNS, PersonRow, Preview, preview_people
from lms.imports.places import UNITS_COLUMNS, UnitRow, UnitsPreview, preview_units
from lms.imports.problems import ImportFileError, Problem
from lms.imports.reports import report_table
from lms.imports.templates import people_template, units_template
from lms.imports.values import clean_text, parse_birth_year, parse_group, parse_role, phone_text, place_key
from lms.imports.writing import MODES, ImportResult, UnitsResult, import_people, import_units

__all__ = [
    "CSV_EXTENSIONS",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "MODES",
    "PEOPLE_COLUMNS",
    "UNITS_COLUMNS",
    "XLSX_EXTENSIONS",
    "ImportFileError",
    "ImportResult",
    "PersonRow",
    "Preview",
    "Problem",
    "UnitRow",
    "UnitsPreview",
    "UnitsResult",
    "clean_text",
    "import_people",
    "import_units",
    "match_header",
    "parse_birth_year",
    "parse_group",
    "parse_role",
    "people_template",
    "phone_text",
    "place_key",
    "preview_people",
    "preview_units",
    "report_table",
    "safe_filename",
    "units_template",
]
