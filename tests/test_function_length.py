"""No function in the service is over 80 lines (migrations aside): long ones are split along their seams."""

from __future__ import annotations

import ast
from pathlib import Path

LIMIT = 80
SRC = Path(__file__).resolve().parents[1] / "src" / "sxr"


def long_functions(root: Path, limit: int = LIMIT) -> list[str]:
    """Each function or method under `root` over `limit` lines (decorators counted), migrations aside."""
    found = []
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.relative_to(root).parts:
            continue
        tree = ast.parse(path.read_text("utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                assert node.end_lineno is not None
                lines = node.end_lineno - first + 1
                if lines > limit:
                    found.append(f"{path.relative_to(root.parent)}:{first} {node.name} ({lines} lines)")
    return found


def test_no_function_over_80_lines_outside_migrations() -> None:
    assert SRC.name == "sxr" and (SRC / "app.py").is_file()
    too_long = long_functions(SRC)
    assert not too_long, f"over {LIMIT} lines; split them along their seams:\n" + "\n".join(too_long)


def test_the_walk_finds_a_long_function(tmp_path: Path) -> None:
    pkg = tmp_path / "sxr"
    (pkg / "migrations" / "versions").mkdir(parents=True)
    body = "\n".join(f"    x{i} = {i}" for i in range(LIMIT))
    (pkg / "long.py").write_text(f"@staticmethod\ndef too_long():\n{body}\n", "utf-8")
    (pkg / "short.py").write_text("def fine():\n    return 1\n", "utf-8")
    (pkg / "migrations" / "versions" / "0001_x.py").write_text(f"def upgrade():\n{body}\n    pass\n", "utf-8")
    assert long_functions(pkg) == [f"sxr/long.py:1 too_long ({LIMIT + 2} lines)"]
