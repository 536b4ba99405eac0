"""Exporting through the registered formats, atomically.

:func:`export` finds the format in the plugin manager's registry, checks it can export the
object, and has its writer write through the library's one atomic routine: into a private work
folder next to the target, whose result then replaces the target in one step. A failure, in
the library or in a plugin's writer, an interruption or a killed process leaves any previous
file as it was, and no temporary file survives the next write to the same target.

.. versionadded:: 0.1
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from territoires._validate import count_errors
from territoires.exceptions import FormatError, PluginError, TerritoiresError, WrongTypeError
from territoires.formats import ExportFormat, ExportKind
from territoires.io._atomic import atomic_output
from territoires.model.dataset import Dataset
from territoires.plugins import PluginManager, default_plugin_manager

__all__ = ["CERTIFICATE", "certificate_path", "export", "kind_of"]


def kind_of(obj: object) -> ExportKind:
    """Return what kind of exportable object ``obj`` is.

    A :class:`~territoires.Dataset`, an :class:`~territoires.indicators.IndicatorTable`, a
    list or tuple of :class:`~territoires.eligibility.Decision`, a
    :class:`~territoires.report.Report`, or a :class:`~territoires.subsidies.SubsidyTable`.

    Raises:
        FormatError: ``obj`` is nothing the library exports.
    """
    from territoires.eligibility import Decision
    from territoires.indicators import IndicatorTable

    if isinstance(obj, Dataset):
        return ExportKind.DATASET
    if isinstance(obj, IndicatorTable):
        return ExportKind.INDICATORS
    if isinstance(obj, list | tuple) and all(isinstance(item, Decision) for item in obj):
        return ExportKind.DECISIONS
    from territoires.report import Report  # light: charts and pages load when rendered

    if isinstance(obj, Report):
        return ExportKind.REPORT
    from territoires.subsidies import SubsidyTable

    if isinstance(obj, SubsidyTable):
        return ExportKind.SUBSIDIES
    raise FormatError(
        f"cannot export a {type(obj).__name__}: export a Dataset, an IndicatorTable, a list "
        "of eligibility Decisions, a Report or a SubsidyTable"
    )


def export(
    obj: Any,
    *,
    format: str,
    path: str | Path,
    plugins: PluginManager | None = None,
    participations: bool = False,
    options: Mapping[str, str] | None = None,
    allow_invalid: bool = False,
) -> Path:
    """Write ``obj`` to ``path`` in the registered format ``format``, atomically.

    Exports are for publication. A dataset is exported **without its participations** (one
    row per person and action, the sensitive part) unless ``participations=True`` says so
    explicitly, by every format that would copy them row by row
    (:attr:`.ExportFormat.person_level`); participations only ever carry pseudonymous ids.
    Indicators are exported as the :class:`~territoires.indicators.IndicatorTable` that
    :func:`.compute_indicators` returns, whose person counts are already protected by
    disclosure control. To save a dataset whole, use :func:`territoires.dump`.

    Only valid data is exported: a dataset with errors (those :func:`territoires.validate`
    finds, warnings aside) is refused unless ``allow_invalid`` is True. A table or a report
    was checked when it was computed, and its export writes how many errors its data had
    (:attr:`.IndicatorTable.data_errors`, :attr:`.Report.data_errors`).

    Args:
        obj: What to export (see :func:`kind_of`).
        format: Name of a registered format (``territoires plugins --all`` lists them).
        path: The file (or folder, for folder formats) to write.
        plugins: The plugin manager whose formats to use; the default one otherwise.
        participations: Whether a dataset's participations are exported.
        options: The format's options (``{"dialect": "excel-fr"}`` for CSV).
        allow_invalid: True exports a dataset with errors anyway (the file holds the data
            as it is, errors included).

    Returns:
        The path written.

    Raises:
        InvalidDataError: ``obj`` is a dataset with errors and ``allow_invalid`` is False.
        FormatError: no such format, it cannot export this kind of object, or an option
            is unknown to it.
        PluginError: a plugin's writer failed; the previous file is intact.

    Example:
        >>> import territoires, tempfile, pathlib
        >>> target = pathlib.Path(tempfile.mkdtemp()) / "demo.json"
        >>> territoires.export(territoires.demo.build(participations=10), format="json",
        ...                    path=target).name
        'demo.json'

    .. versionadded:: 0.1
    .. versionchanged:: 0.2 ``allow_invalid``; a dataset with errors is refused.
    """
    manager = plugins if plugins is not None else default_plugin_manager()
    formats = manager.formats
    if format not in formats:
        known = ", ".join(sorted(formats)) or "none"
        raise FormatError(f"no export format named {format!r} (available: {known})")
    chosen = formats[format]
    kind = kind_of(obj)
    if kind not in chosen.kinds:
        can = ", ".join(sorted(k.value for k in chosen.kinds))
        raise FormatError(f"format {format!r} cannot export {kind.label_en}s (it exports: {can})")
    given = dict(options or {})
    unknown = sorted(set(given) - set(chosen.options))
    if unknown:
        accepted = ", ".join(chosen.options) or "none"
        raise FormatError(
            f"format {format!r} has no option {', '.join(map(repr, unknown))} "
            f"(its options: {accepted})"
        )
    if kind is ExportKind.DATASET and not allow_invalid:  # participations included
        count_errors(obj, allow_invalid=False, plugins=manager)
    if (
        kind is ExportKind.DATASET
        and chosen.person_level
        and not participations
        and obj.participations
    ):
        obj = attrs.evolve(obj, participations=())
        if not (obj.contracts or obj.reports or obj.territories or obj.parties):
            raise FormatError(
                "nothing to export but participations, which leave only when asked "
                "(participations=True, or --with-participations)"
            )
    target = Path(path)
    registration = formats.registration(format)
    audit = _audit_of(obj, kind, manager)

    # A writer refuses what its format cannot hold with a TerritoiresError, which passes as
    # it is; the built-in writers' OSErrors (a full disk) are the machine's, not a bug of
    # theirs. Anything else is a fault of the format's plugin, named.
    passes = (TerritoiresError, OSError) if registration.plugin.builtin else (TerritoiresError,)
    with atomic_output(target, folder=chosen.folder, marker=_marker(chosen)) as where:
        written = manager.guarded(
            registration.plugin,
            f"writer of format {format!r}",
            lambda: chosen.write(obj, where, **given),
            passes=passes,
        )
        if isinstance(written, PluginError):
            raise written
        if chosen.folder:
            (where / _marker(chosen)).touch(exist_ok=True)
            if audit is not None:
                files = sorted(p for p in where.rglob("*") if p.is_file())
                _write_certificate(
                    audit, where / CERTIFICATE, {str(p.relative_to(where)): p for p in files}
                )
    if audit is not None and not chosen.folder:
        with atomic_output(certificate_path(target)) as where:
            _write_certificate(audit, where, {target.name: target})
    return target


CERTIFICATE = "certificate.json"
"""The name of the certificate inside a folder export (a data package)."""


def certificate_path(target: str | Path) -> Path:
    """Where :func:`export` writes the certificate of the file ``target``.

    Beside it, named after it: ``indicators.csv.certificate.json``. A folder export (a data
    package) holds its certificate inside, as ``certificate.json``.

    Raises:
        WrongTypeError: ``target`` is not a path.
    """
    if not isinstance(target, (str, os.PathLike)):
        raise WrongTypeError("target", target, "a file path, as a str or a pathlib.Path")
    target = Path(target)
    return target.with_name(f"{target.name}.certificate.json")


def _audit_of(obj: Any, kind: ExportKind, manager: PluginManager) -> Any:
    """The audit a published table or report carries, or one made now for a bare table."""
    if kind is ExportKind.REPORT:
        return obj.audit
    if kind is not ExportKind.INDICATORS:
        return None
    if obj.audit is not None:
        return obj.audit
    from territoires.disclosure import audit

    # A table read back from a file, or computed without its audit: audited as published.
    return audit([obj.published()], plugins=manager)


def _write_certificate(audit: Any, where: Path, files: Mapping[str, Path]) -> None:
    """Write the certificate: the audit, and the SHA-256 of each file it certifies."""
    import hashlib
    import json

    from territoires._version import __version__

    digests = {}
    for name, path in files.items():
        digest = hashlib.sha256()
        with open(path, "rb") as stream:
            for block in iter(lambda: stream.read(1 << 20), b""):
                digest.update(block)
        digests[name] = "sha256:" + digest.hexdigest()
    document = {
        "schema": "territoires-certificate/1",
        "generated_by": f"territoires {__version__}",
        "certifies": digests,
        **audit.to_dict(),
    }
    with open(where, "w", encoding="utf-8", newline="\n") as out:
        json.dump(document, out, ensure_ascii=False, indent=1)
        out.write("\n")


def _marker(chosen: ExportFormat) -> str:
    # A folder this format wrote may be replaced; a user's unrelated folder never is. The data
    # package marks its folders with its descriptor.
    return "datapackage.json" if chosen.name == "datapackage" else f".{chosen.name}-export"
