"""``boardline npi …``: import a customer's data package and look at what came out."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from boardline.core.cli import cli_actor, uow
from boardline.core.errors import FileRejected
from boardline.core.services import find_customer
from boardline.npi import services
from boardline.npi.pipeline import InputFile

npi_app = typer.Typer(help="NPI: products, revisions, data package import.", no_args_is_help=True)
console = Console()
err = Console(stderr=True)

FileList = Annotated[list[Path] | None, typer.Option(exists=False)]


def _read(path: Path, kind: str) -> InputFile:
    try:
        return InputFile(name=path.name, data=path.read_bytes(), kind=kind)
    except OSError as exc:
        raise FileRejected(str(path), f"cannot read: {exc.strerror}") from None


@npi_app.command("import")
def import_package(
    customer: Annotated[str, typer.Option(help="customer code")],
    product: Annotated[str, typer.Option(help="product code (created when new)")],
    revision: Annotated[str, typer.Option(help="revision label, e.g. A (created when new)")],
    bom: Annotated[list[Path] | None, typer.Option(help="BOM: CSV, TSV or XLSX")] = None,
    centroid: Annotated[
        list[Path] | None, typer.Option(help="pick-and-place file(s): KiCad .pos/CSV, JLC CPL")
    ] = None,
    board: Annotated[Path | None, typer.Option(help="KiCad board (.kicad_pcb)")] = None,
    ipc2581: Annotated[Path | None, typer.Option(help="IPC-2581 XML")] = None,
    name: Annotated[str | None, typer.Option(help="product name when new")] = None,
    units: Annotated[
        str | None, typer.Option(help="units of centroid files that do not say: mm, mil, inch")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the result as JSON")] = False,
) -> None:
    """Import a data package into a draft revision: read, cross-check, DFM-review, store."""
    files = [_read(p, "bom") for p in bom or []]
    files += [replace(_read(p, "centroid"), units=units) for p in centroid or []]
    if board:
        files.append(_read(board, "kicad_pcb"))
    if ipc2581:
        files.append(_read(ipc2581, "ipc2581"))
    actor = cli_actor()
    with uow() as s:
        found = services.find_product(s, actor, customer, product)
        if found is None:
            cust = find_customer(s, customer)
            found = services.do_create_product(
                s, actor, customer_id=cust.id, code=product, name=name or product
            )
        rev = services.find_revision(s, found.id, revision)
        if rev is None:
            rev = services.do_create_revision(s, actor, found.id, label=revision)
        outcome = services.do_import(s, actor, rev.id, files)
        label = f"{found.code} rev {rev.label}"
    if as_json:
        print(json.dumps(services.analysis_json(outcome.analysis), indent=1, default=str))
        return
    _print_summary(label, outcome)


def _print_summary(label: str, outcome: services.ImportOutcome) -> None:
    a = outcome.analysis
    table = Table(title=f"{label}: import #{outcome.import_id}")
    table.add_column("file")
    table.add_column("kind")
    table.add_column("BOM lines", justify="right")
    table.add_column("placements", justify="right")
    table.add_column("findings", justify="right")
    for r in a.results:
        table.add_row(
            r.file, r.kind, str(len(r.bom_lines)), str(len(r.placements)), str(len(r.findings))
        )
    console.print(table)
    c = a.classification
    console.print(f"assembly: {c.as_text()}" if hasattr(c, "as_text") else f"classification: {c}")
    by_sev: dict[str, int] = {}
    for _, f in a.findings:
        by_sev[f.severity.value] = by_sev.get(f.severity.value, 0) + 1
    console.print("findings: " + ", ".join(f"{n} {s}" for s, n in sorted(by_sev.items())))
    for _, f in a.findings:
        if f.severity.value == "error":
            where = f.file + (f":{f.line}" if f.line else "") if f.file else ""
            err.print(f"[red]error[/red] {f.code} {where} {f.refdes or ''}: {f.message}")
