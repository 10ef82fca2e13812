"""Validation results and their plain-English report, grouped by record."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Result:
    record: str | None  # the item IRI the problem belongs to (None: belongs to no record)
    focus: str  # the node the problem is about (the record or a nested blank node)
    path: str | None  # the property
    value: str | None  # the offending value, if any
    severity: str  # "Violation", "Warning" or "Info"
    message: str  # what is wrong and what to do, in words a council officer understands
    field: str | None = None  # the human name of the property (sh:name)
    shape: str | None = None


@dataclass
class Report:
    results: list[Result] = field(default_factory=list)
    records: list[str] = field(default_factory=list)  # the records checked
    titles: dict[str, str] = field(default_factory=dict)

    @property
    def conforms(self) -> bool:
        return not self.violations

    @property
    def violations(self) -> list[Result]:
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def warnings(self) -> list[Result]:
        return [r for r in self.results if r.severity != "Violation"]

    def by_record(self) -> dict[str | None, list[Result]]:
        grouped: dict[str | None, list[Result]] = {}
        for result in sorted(self.results, key=_order):
            grouped.setdefault(result.record, []).append(result)
        return grouped

    def as_dicts(self) -> list[dict]:
        return [asdict(r) for r in sorted(self.results, key=_order)]

    def render(self, detail: int = 5, max_records: int = 10) -> str:
        """The report a council officer reads: per record, counts, the first few problems in
        full, and the rest summarised by message so a thousand problems stay readable.
        Records with errors come first; past max_records, records are summarised too."""
        if not self.results:
            return f"All {len(self.records)} record(s) conform to the shapes."
        lines = [
            _plural(len(self.violations), "error")
            + " and "
            + _plural(len(self.warnings), "warning")
            + f" in {len(self.records)} record(s)."
        ]
        grouped = sorted(
            self.by_record().items(),
            key=lambda item: (not any(r.severity == "Violation" for r in item[1]), item[0] or ""),
        )
        shown, hidden = grouped[:max_records], grouped[max_records:]
        for record, results in shown:
            errors = sum(r.severity == "Violation" for r in results)
            name = f"<{record}>" if record else "Statements outside any record"
            if record and self.titles.get(record):
                name += f' "{self.titles[record]}"'
            lines.append("")
            lines.append(
                f"{name}: {_plural(errors, 'error')}, {_plural(len(results) - errors, 'warning')}"
            )
            for result in results[:detail]:
                lines.append("  " + _line(result))
            rest = results[detail:]
            if rest:
                lines.append(f"  … and {len(rest)} more:")
                for (severity, message), count in Counter(
                    (r.severity, r.message) for r in rest
                ).most_common():
                    mark = "error" if severity == "Violation" else "warning"
                    lines.append(f"    {count} × {mark}: {message}")
        if hidden:
            rest = [r for _, results in hidden for r in results]
            lines.append("")
            lines.append(f"… and {len(rest)} more in {len(hidden)} other record(s):")
            for (severity, message), count in Counter(
                (r.severity, r.message) for r in rest
            ).most_common():
                mark = "error" if severity == "Violation" else "warning"
                lines.append(f"  {count} × {mark}: {message}")
        return "\n".join(lines)


def _order(r: Result):
    return (
        r.record or "",
        r.severity != "Violation",
        r.field or r.path or "",
        r.message,
        r.value or "",
    )


def _line(r: Result) -> str:
    mark = "error" if r.severity == "Violation" else "warning"
    where = f"{r.field}: " if r.field else ""
    value = f" (value: {r.value})" if r.value is not None and r.value != r.focus else ""
    nested = " [in a nested value of the record]" if r.record and r.focus != r.record else ""
    return f"{mark}: {where}{r.message}{value}{nested}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")
