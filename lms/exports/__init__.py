"""Spreadsheet downloads: tabular rows as CSV or XLSX.

Used by teachers' class-progress downloads and administrators' completion reports. The package
knows nothing about the database or Flask: callers hand it a header and an iterable of rows
(a list, or better a generator over a query, so that a large report is never held in memory)
and get back CSV text chunks or an XLSX file.

=================  ==========================================================================
``cells``          one cell: formula-injection defence (:func:`neutralize`), text, local time
``csv_writer``     :func:`csv_stream`: CSV with a byte order mark, streamed in chunks
``xlsx_writer``    :func:`xlsx_bytes`, :func:`xlsx_stream`: one styled sheet, write-only mode
``downloads``      naming the download: :func:`content_disposition`, :func:`ascii_slug`
=================  ==========================================================================

Which format
    CSV is for other programs, LibreOffice and Google Sheets. Excel on a Vietnamese Windows
    expects ``;`` between fields and ``,`` as the decimal mark, so for people who open files in
    Excel, offer XLSX: it keeps numbers as numbers, dates as dates, and text such as phone
    numbers (``0912…``) as text.

Serving from a Flask view: a file built whole goes through ``send_file``, which names the
download itself; a stream (a generator that queries the database needs the request context)
gets its ``Content-Disposition`` from :func:`content_disposition`::

    import io
    from flask import Response, send_file, stream_with_context

    return send_file(io.BytesIO(xlsx_bytes(title, subtitle, header, rows)), mimetype=XLSX_MIMETYPE,
                     as_attachment=True, download_name="báo cáo.xlsx")

    return Response(
        stream_with_context(csv_stream(title_rows, header, rows)),
        mimetype=CSV_MIMETYPE,
        headers={"Content-Disposition": content_disposition("tien-do-lop-6A.csv")},
    )

The names below are the package's public interface (``from lms import exports``;
``exports.csv_stream(…)``).
"""
from lms.exports.cells import DANGEROUS_PREFIXES, LOCAL_TZ, neutralize
from lms.exports.csv_writer import BOM, CSV_MIMETYPE, csv_stream
from lms.exports.downloads import ascii_slug, content_disposition
from lms.exports.xlsx_writer import HEADER_ROW, XLSX_MIMETYPE, safe_sheet_title, xlsx_bytes, xlsx_stream

__all__ = [
    "BOM",
    "CSV_MIMETYPE",
    "DANGEROUS_PREFIXES",
    "HEADER_ROW",
    "LOCAL_TZ",
    "XLSX_MIMETYPE",
    "ascii_slug",
    "content_disposition",
    "csv_stream",
    "neutralize",
    "safe_sheet_title",
    "xlsx_bytes",
    "xlsx_stream",
]
