"""Reading and checking course packages (see courses/README.md for the format).

``check_package`` never raises for a bad package: it returns the problems it found, each naming
the file, the line and what to fix. Nothing in a package is executed.

==================  =========================================================================
``manifest``        ``course.yaml``: ``check_package``, and ``check_all`` for a whole directory
``framework``       ``framework.yaml``: ``load_framework``
``lessons``         a lesson's Markdown: pictures, links, raw HTML
``files``           paths that stay inside a package, pictures, the package's digest
``checker``         ``Checker``: reads values out of the YAML, collecting problems
``yaml_lines``      the YAML loader that keeps line numbers: ``load_yaml``
``specs``           what a check returns: ``Problem`` and the course and framework specs
==================  =========================================================================
"""
