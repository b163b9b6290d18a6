# ruff: noqa: E501  (a one-off migration for issue 12: its literals are the code it rewrites)
"""Issue 12: move every module into a package per capability and rewrite every reference.

Run from a checkout: python relayout.py [--dry]. Re-runnable on a tree where helpers added files:
unmapped modules in a flat folder are listed so the mapping can be extended.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

MOVES: dict[str, str] = {}


def room(prefix: str, target: str, names: dict[str, str]) -> None:
    for old, new in names.items():
        MOVES[f"{prefix}/{old}.py"] = f"{target}/{new}.py"


# ---------------------------------------------------------------- domain
room("domain", "domain/platform", {
    "access": "access", "audit": "audit", "errors": "errors", "events": "events", "jobs": "jobs",
    "paths": "paths",
})
room("domain", "domain/attendance", {
    "calendar": "calendar", "calendar_input": "calendar_input", "codes": "codes", "marks": "marks",
    "stored_marks": "stored_marks", "normalize": "normalize", "summaries": "summaries",
})
room("domain", "domain/roster", {"schools": "schools", "languages": "languages"})
room("domain", "domain/sis", {"wonde": "wonde", "wonde_contacts": "contacts", "wonde_values": "values"})
room("domain", "domain/ladder", {
    "ladder": "model", "ladder_events": "events", "ladder_guards": "guards", "ladder_nightly": "nightly",
    "ladder_pause": "pause", "ladder_queue": "queue", "ladder_records": "records",
    "ladder_rules": "rule_facts", "ladder_table": "table", "ladder_transitions": "transitions",
    "simulation": "simulation", "ladder_tracks": "tracks", "statutory": "statutory",
})
room("domain", "domain/meetings", {
    "meetings": "model", "meeting_facts": "facts", "meeting_notices": "notices",
    "meeting_outcomes": "outcomes", "meeting_records": "records", "meeting_transitions": "transitions",
    "meetings_ics": "ics",
})
room("domain", "domain/casework", {"intervention_cases": "cases", "work_tasks": "tasks"})

# ---------------------------------------------------------------- services
room("services", "services/platform", {
    "audit": "audit", "context": "context", "jobs": "jobs", "outbox": "outbox", "ports": "ports",
    "rate_limits": "rate_limits", "stored_files": "stored_files",
})
room("services", "services/attendance", {
    "ingestion": "ingestion", "mark_validation": "mark_validation", "normalization": "normalization",
    "normalize_jobs": "normalize_jobs", "normalize_plan": "normalize_plan", "summaries": "summaries",
    "attendance_ports": "ports", "school_years": "school_years",
})
room("services", "services/roster", {
    "roster": "service", "roster_import": "imports", "roster_ports": "ports",
})
room("services", "services/rules", {
    "rules": "service", "rules_preview": "preview", "rules_ports": "ports",
})
room("services", "services/interventions", {
    "scheduler": "scheduler", "intervention_batch": "batch", "intervention_effects": "effects",
    "intervention_jobs": "jobs", "intervention_queue": "queue", "intervention_ports": "ports",
})
room("services", "services/letters", {
    "letter_artifacts": "artifacts", "letter_companions": "companions", "letter_delivery": "delivery",
    "letter_generate": "generate", "letter_post": "post", "letter_previews": "previews",
    "letter_render": "render", "letter_resend": "resend", "letter_sources": "sources",
    "letter_sweep": "sweep", "letter_template_rules": "template_rules", "letter_templates": "templates",
    "letter_templates_source": "templates_source", "letter_translation": "translation",
    "letter_ports": "ports", "print_batches": "print_batches",
    "print_batch_jobs": "print_batch_jobs",
})
room("services", "services/meetings", {
    "meetings": "service", "meeting_cancellation": "cancellation",
    "meeting_cancellation_resend": "cancellation_resend", "meeting_effects": "effects",
    "meeting_resend": "resend", "meeting_ports": "ports", "letter_meetings": "invitations",
})
room("services", "services/casework", {"casework": "service", "casework_ports": "ports"})

# ---------------------------------------------------------------- adapters
room("adapters", "adapters/storage", {
    "tables": "tables", "blobs": "blobs", "queues": "queues", "keys": "keys", "clients": "clients",
    "local_events": "local_events",
})
room("adapters", "adapters/tables", {
    "table_audit": "audit", "table_casework": "casework", "table_interventions": "interventions",
    "table_jobs": "jobs", "table_letters": "letters", "table_marks": "marks",
    "table_meeting_notices": "meeting_notices", "table_meetings": "meetings",
    "table_print_batches": "print_batches", "table_roster": "roster", "roster_entities": "roster_entities",
    "table_rules": "rules", "table_summaries": "summaries", "table_templates": "templates",
    "table_year_rows": "year_rows",
})
room("adapters", "adapters/pdf", {"pdf": "render", "pdf_merge": "merge"})

# ---------------------------------------------------------------- functions/http
for area in ("attendance", "cases", "interventions", "meetings", "roster", "rules"):
    MOVES[f"functions/http/{area}.py"] = f"functions/http/{area}/routes.py"
    MOVES[f"functions/http/{area}_models.py"] = f"functions/http/{area}/models.py"
MOVES["functions/http/letters.py"] = "functions/http/letters/routes.py"
MOVES["functions/http/letter_actions.py"] = "functions/http/letters/actions.py"
MOVES["functions/http/letter_templates.py"] = "functions/http/letters/templates.py"
MOVES["functions/http/letter_templates_models.py"] = "functions/http/letters/templates_models.py"
for shell in ("api", "correlation", "problems", "security", "health", "body_limit", "params",
              "rate_limit", "transport", "contract", "guards", "json_depth", "preconditions",
              "unhandled"):
    MOVES[f"functions/http/{shell}.py"] = f"functions/http/shell/{shell}.py"
MOVES["functions/http/platform.py"] = "functions/http/platform/routes.py"

EMPTY_ROOMS = {
    "domain/analytics": "Analytics: attendance trends and intervention effects (issue 15).",
    "domain/reports": "Reports and the regulators' returns (issue 17).",
    "services/analytics": "Analytics use cases (issue 15).",
    "services/reports": "Scheduled reports and returns (issue 17).",
    "functions/web": "The staff web app's pages (issue 16).",
}

# port modules folded into their capability's ports.py (appended after the target's own code)
MERGES = {
    "services/roster_store.py": "services/roster/ports.py",
    "services/rules_store.py": "services/rules/ports.py",
    "services/translation_ports.py": "services/letters/ports.py",
}

DATA_MOVES = {"domain/code_tables": "domain/attendance/code_tables"}

FLAT = ("domain", "services", "adapters", "functions/http")


def module(path: str) -> str:
    return path.removesuffix(".py").replace("/", ".")


def main(root: Path, dry: bool) -> None:
    moves = {old: new for old, new in MOVES.items() if (root / old).exists()}
    merges = {old: new for old, new in MERGES.items() if (root / old).exists()}
    mods = {module(old): module(new) for old, new in (moves | merges).items()}
    paths = dict(moves | merges)
    for folder in FLAT:
        for f in sorted((root / folder).glob("*.py")):
            rel = f.relative_to(root).as_posix()
            if rel not in moves and rel not in merges and f.name != "__init__.py":
                print("unmapped:", rel)
    if dry:
        return
    new_dirs = sorted({str(Path(n).parent) for n in moves.values()} | set(EMPTY_ROOMS))
    for d in new_dirs:
        (root / d).mkdir(parents=True, exist_ok=True)
        init = root / d / "__init__.py"
        if not init.exists():
            doc = EMPTY_ROOMS.get(d)
            init.write_text(f'"""{doc}"""\n' if doc else "")
    for old, new in moves.items():
        subprocess.run(["git", "mv", old, new], cwd=root, check=True)
    for old, new in merges.items():
        merge(root / old, root / new)
        subprocess.run(["git", "rm", "-q", old], cwd=root, check=True)
    for old, new in DATA_MOVES.items():
        if (root / old).exists():
            subprocess.run(["git", "mv", old, new], cwd=root, check=True)
    rewrite(root, mods, paths)
    for target in set(merges.values()):  # a merged module no longer imports itself
        f = root / target
        own = module(target)
        f.write_text(re.sub(rf"^from {re.escape(own)} import [^\n]+\n", "", f.read_text(), flags=re.M))


def merge(source: Path, target: Path) -> None:
    """Append source's code to target: its docstring dropped, its imports joined to target's."""
    import ast
    text = source.read_text()
    tree = ast.parse(text)
    lines = text.splitlines()
    body = tree.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    imports = []
    while body and isinstance(body[0], ast.Import | ast.ImportFrom):
        node = body[0]
        if not (isinstance(node, ast.ImportFrom) and node.module == "__future__"):
            imports.append("\n".join(lines[node.lineno - 1:node.end_lineno]))
        body = body[1:]
    rest = "\n".join(lines[body[0].lineno - 1 - len(body[0].decorator_list
                                                    if hasattr(body[0], "decorator_list") else []):]) if body else ""
    own = target.read_text().splitlines()
    tt = ast.parse(target.read_text())
    last = max((n.end_lineno for n in tt.body if isinstance(n, ast.Import | ast.ImportFrom)), default=0)
    new = own[:last] + imports + own[last:] + ["", ""] + rest.splitlines()
    target.write_text("\n".join(new) + "\n")


def rewrite(root: Path, mods: dict[str, str], paths: dict[str, str]) -> None:
    dotted = re.compile(r"(?<![\w.])((?:domain|services|adapters|functions)(?:\.\w+)+)")
    slashed = re.compile(r"(?<![\w/])((?:domain|services|adapters|functions)(?:/\w+)+\.py)")
    from_import = re.compile(r"^(\s*)from ((?:domain|services|adapters|functions)(?:\.\w+)*) import "
                             r"(\([^)]*\)|[\w ,]+)$", re.M)

    def sub_dotted(m: re.Match[str]) -> str:
        name = m.group(1)
        parts = name.split(".")
        for i in range(len(parts), 1, -1):  # the longest moved prefix
            head = ".".join(parts[:i])
            if head in mods:
                return ".".join([mods[head], *parts[i:]])
        return name

    def sub_from(m: re.Match[str]) -> str:
        indent, pkg, names = m.groups()
        items = [n.strip() for n in names.strip("()").replace("\n", " ").split(",") if n.strip()]
        kept, lines = [], []
        for item in items:
            name, _, alias = item.partition(" as ")
            full = f"{pkg}.{name.strip()}"
            if full not in mods:
                kept.append(item)
                continue
            parent, leaf = mods[full].rsplit(".", 1)
            alias = alias.strip() or name.strip()
            lines.append(f"{indent}from {parent} import {leaf}" + ("" if leaf == alias else f" as {alias}"))
        if not lines:
            return m.group(0)
        if kept:
            lines.insert(0, f"{indent}from {pkg} import " + ", ".join(kept))
        return "\n".join(lines)

    files = subprocess.run(["git", "ls-files"], cwd=root, capture_output=True, text=True,
                           check=True).stdout.split()
    files += [p.relative_to(root).as_posix() for d in EMPTY_ROOMS for p in (root / d).glob("*.py")]
    for rel in files:
        if not rel.endswith((".py", ".md", ".toml", ".cfg", ".ini", ".txt", ".bicep", ".json", ".yaml",
                             ".mk", "Makefile")):
            continue
        f = root / rel
        if not f.is_file():
            continue
        text = f.read_text()
        out = dotted.sub(sub_dotted, text)  # first: new package names reuse old module names
        out = from_import.sub(sub_from, out) if rel.endswith(".py") else out
        out = slashed.sub(lambda m: paths.get(m.group(1), m.group(1)), out)
        if rel == "adapters/pdf/render.py":
            out = out.replace("parents[1] / \"assets\"", "parents[2] / \"assets\"")
        out = out.replace("domain/code_tables", "domain/attendance/code_tables")
        if out != text:
            f.write_text(out)


if __name__ == "__main__":
    main(Path.cwd(), "--dry" in sys.argv)
