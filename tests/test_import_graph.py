"""Imports run one way: foundations → building blocks → models → vocoder / evaluation → lessons' tools and the CLI.

Every top-level part of ``course_lib`` has a layer; a module may import its own part, any
part of a lower layer, and a part of its own layer only if that part does not import it
back. Function-level imports count too (``ast.walk`` sees every ``import`` statement).
"""

import ast
from collections import defaultdict
from pathlib import Path

import course_lib

LAYERS = {
    "foundations": ("framing", "files", "facts", "audio", "pitch", "source_filter", "text", "mode", "paths", "espeak",
                    "threads"),
    "building blocks": ("nn", "flows", "diffusion", "alignment", "distributions", "training", "data", "cepstrum"),
    "models": ("models",),
    "vocoder and evaluation": ("vocoder", "evaluation", "quality"),
    "lessons' tools and the CLI": ("widgets", "checks", "plots", "compare", "__main__"),
}
LAYER_OF = {part: rank for rank, parts in enumerate(LAYERS.values()) for part in parts}
PACKAGE = Path(course_lib.__file__).parent


def part_of(module: str) -> str | None:
    """``course_lib.models.glow_tts.train`` → ``models``; ``course_lib`` itself → None."""
    names = module.split(".")
    return names[1] if len(names) > 1 and names[0] == "course_lib" else None


def imports() -> list[tuple[str, str, str]]:
    """``(importing part, imported part, "file:line")`` for every course_lib import between two parts."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE.parent).with_suffix("")
        source = part_of(".".join(relative.parts))
        if source in (None, "__init__"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                targets = [node.module]
                if node.module == "course_lib":
                    targets = [f"course_lib.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                continue
            for target in map(part_of, targets):
                if target is not None and target != source:
                    found.append((source, target, f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"))
    return found


def test_every_part_of_the_package_has_a_layer():
    parts = {path.stem if path.is_file() else path.name for path in PACKAGE.iterdir()
             if (path.suffix == ".py" or (path / "__init__.py").exists()) and path.stem != "__init__"}
    assert parts - set(LAYER_OF) == set(), "give each new part of course_lib a layer in LAYERS"


def test_no_part_imports_a_part_above_it():
    upward = [f"{where}: {source} ({LAYER_OF[source]}) imports {target} ({LAYER_OF[target]})"
              for source, target, where in imports() if LAYER_OF[target] > LAYER_OF[source]]
    assert upward == []


def test_no_two_parts_import_each_other():
    edges = defaultdict(list)
    for source, target, where in imports():
        edges[(source, target)].append(where)
    cycles = [f"{a} ↔ {b}: {edges[(a, b)][0]} and {edges[(b, a)][0]}"
              for (a, b) in edges if (b, a) in edges and a < b]
    assert cycles == []


def test_the_walk_sees_function_level_imports():
    # a guard on the checker itself: an import inside a function is an import
    tree = ast.parse("def f():\n    from course_lib.vocoder import load_vocoder\n")
    assert [node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)] == ["course_lib.vocoder"]
